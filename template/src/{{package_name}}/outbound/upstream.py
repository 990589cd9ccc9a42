"""Calls to one upstream: bounded in time, retried when that is safe, failing fast when it is down.

An attempt goes through the upstream's circuit (`breakers.py`). A transient
failure (no connection, a reset, a timeout, 502/503/504, 429) of an idempotent
call is retried with exponential backoff and jitter (stamina), after the
upstream's `Retry-After` when it sends one. Everything, backoff included,
ends by the request's deadline; what cannot be done by then, or at all,
raises `UpstreamUnavailableError`, which the caller's endpoint answers with
503 and `Retry-After`. Logs and metrics name the upstream and the route
template, never the URL's query or any header.
"""

import asyncio
import time
from http import HTTPStatus
from urllib.parse import quote

import httpx
import stamina
import structlog
from purgatory.domain.model import OpenedState
from structlog.typing import FilteringBoundLogger

from .client import Outbound
from .deadline import Deadline
from .errors import UpstreamUnavailableError
from .metrics import OUTBOUND_DURATION, Outcome

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

# RFC 9110: repeating these has the effect of doing them once.
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Answers that say "not now" rather than "no": worth another attempt.
RETRYABLE_STATUSES = frozenset(
    {
        HTTPStatus.TOO_MANY_REQUESTS,
        HTTPStatus.BAD_GATEWAY,
        HTTPStatus.SERVICE_UNAVAILABLE,
        HTTPStatus.GATEWAY_TIMEOUT,
    }
)
# A longer Retry-After is not a pause but an outage: the deadline ends it anyway.
_MAX_RETRY_AFTER = 3600


class FailedAnswerError(Exception):
    """The upstream answered with a status that counts as its failure (5xx or 429)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"answered {response.status_code}")
        self.response = response


class Upstream:
    """One other service, by name (for logs and metrics) and base URL."""

    def __init__(self, name: str, base_url: str, outbound: Outbound) -> None:
        self.name = name
        self._base_url = base_url.rstrip("/")
        self._outbound = outbound

    async def request(
        self, method: str, route: str, *, deadline: Deadline, **path_params: str
    ) -> httpx.Response:
        """`method` on `route` (a template such as `/stock/{item_id}`), filled from `path_params`.

        Returns the upstream's answer when it is not a failure (2xx, 3xx, 4xx
        other than 429): what a 404 means is the caller's to say.
        """
        settings = self._outbound.settings
        remaining = deadline.remaining()
        if remaining <= 0:
            raise UpstreamUnavailableError(self.name, "no time left for the call")
        attempts = settings.retry_attempts if method in IDEMPOTENT_METHODS else 1
        url = self._base_url + route.format_map(
            {name: quote(value, safe="") for name, value in path_params.items()}
        )
        retry = stamina.retry_context(
            on=lambda error: self._retry_after(error, deadline),
            attempts=attempts,
            timeout=remaining,
            wait_initial=settings.retry_wait_initial,
            wait_max=settings.retry_wait_max,
        )
        try:
            async with asyncio.timeout(remaining):
                async for attempt in retry:
                    with attempt:
                        return await self._attempt(method, url, route, deadline, attempt.num)
                # stamina either returns from an attempt or raises its last error.
                raise AssertionError("unreachable")  # pragma: no cover
        except TimeoutError:
            raise UpstreamUnavailableError(self.name, "no answer in time") from None
        except OpenedState as open_circuit:
            # Until the circuit lets a probe through.
            reopens = open_circuit.opened_at + self._outbound.breakers.reset_seconds
            raise UpstreamUnavailableError(
                self.name, "failing, calls paused", retry_after=reopens - time.time()
            ) from None
        except FailedAnswerError as error:
            raise UpstreamUnavailableError(
                self.name,
                f"answered {error.response.status_code}",
                retry_after=_retry_after_header(error.response) or 1.0,
            ) from None
        except httpx.TransportError:
            raise UpstreamUnavailableError(self.name, "unreachable") from None

    async def _attempt(
        self, method: str, url: str, route: str, deadline: Deadline, number: int
    ) -> httpx.Response:
        breaker = await self._outbound.breakers.get(self.name)
        started = time.perf_counter()
        # Until the circuit lets the attempt through.
        outcome = Outcome.CIRCUIT_OPEN
        try:
            async with breaker:
                outcome = Outcome.CONNECTION_ERROR
                response = await self._send(method, url, deadline)
                outcome = _outcome_of(response.status_code)
                if outcome in {Outcome.SERVER_ERROR, Outcome.THROTTLED}:
                    raise FailedAnswerError(response)
                return response
        except (httpx.TimeoutException, asyncio.CancelledError):
            # The client's own timeout, or the deadline cancelling the wait.
            outcome = Outcome.TIMEOUT
            raise
        finally:
            duration = time.perf_counter() - started
            OUTBOUND_DURATION.labels(upstream=self.name, outcome=outcome).observe(duration)
            # A call refused by an open circuit is counted, not logged: the
            # circuit's opening was, and an outage would flood the logs.
            if outcome not in {Outcome.OK, Outcome.CLIENT_ERROR, Outcome.CIRCUIT_OPEN}:
                _logger.warning(
                    "upstream_call_failed",
                    upstream=self.name,
                    method=method,
                    route=route,
                    outcome=str(outcome),
                    attempt=number,
                    duration_ms=round(duration * 1000, 3),
                )

    async def _send(self, method: str, url: str, deadline: Deadline) -> httpx.Response:
        # No single wait may outlast the deadline, whatever the client's timeouts.
        settings = self._outbound.settings
        left = deadline.remaining()
        timeout = httpx.Timeout(
            connect=min(settings.connect_timeout, left),
            read=min(settings.read_timeout, left),
            write=min(settings.read_timeout, left),
            pool=min(settings.pool_timeout, left),
        )
        return await self._outbound.client.request(method, url, timeout=timeout)

    def _retry_after(self, error: Exception, deadline: Deadline) -> bool | float:
        """stamina's hook: whether to retry `error`, or after how many seconds."""
        if isinstance(error, FailedAnswerError):
            if error.response.status_code not in RETRYABLE_STATUSES:
                return False
            wait = _retry_after_header(error.response)
            if wait is None:
                return True
            # Waiting past the deadline would only end in a timeout.
            return wait if wait < deadline.remaining() else False
        return isinstance(error, httpx.TransportError)


def _outcome_of(status: int) -> Outcome:
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return Outcome.THROTTLED
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        return Outcome.SERVER_ERROR
    return Outcome.CLIENT_ERROR if status >= HTTPStatus.BAD_REQUEST else Outcome.OK


def _retry_after_header(response: httpx.Response) -> float | None:
    """`Retry-After` in seconds, when given as seconds (the HTTP-date form is ignored)."""
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds <= _MAX_RETRY_AFTER else None
