"""Fixed-window counters: in this process, or in Redis so limits hold across replicas."""

import math
import time
from typing import Annotated, Protocol

import structlog
from fastapi import Depends, Request
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from structlog.typing import FilteringBoundLogger

from ..settings.security import HttpSecuritySettings

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)

# Bounds the memory of the in-process limiter under a flood of distinct clients.
MAX_TRACKED_KEYS = 100_000

# Everything a broken network or server can raise through redis-py: its own
# errors, socket or timeout errors some code paths let through unwrapped, and
# RuntimeError, which uvloop (what `serve` runs on) raises for a write on a
# transport the peer has just reset ("unable to perform operation on
# <TCPTransport closed=True>"); redis-py drops that connection before it
# re-raises. asyncio.CancelledError is not among them: a cancelled request must
# stay cancelled.
REDIS_FAILURES = (RedisError, OSError, TimeoutError, RuntimeError)

REDIS_FAILURES_TOTAL = Counter(
    "rate_limiter_redis_failures",
    "Calls to Redis that failed; the request was allowed without counting it.",
)


class RateLimiter(Protocol):
    """Counts hits per key and window."""

    async def hit(self, key: str, limit: int, window: int) -> float | None:
        """Count one hit; `None` if within `limit` per `window` seconds, else seconds to wait."""
        ...

    async def reset(self, key: str, window: int) -> None:
        """Forget the hits of `key` in the current window, e.g. after a successful login."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryRateLimiter:
    """Counters in a dict. Correct for one process; each replica counts on its own."""

    def __init__(self, prefix: str) -> None:
        self._prefix = prefix
        self._windows: dict[str, tuple[int, int]] = {}

    async def hit(self, key: str, limit: int, window: int) -> float | None:
        now = time.time()
        current = int(now // window)
        stored_window, count = self._windows.get(self._prefix + key, (current, 0))
        count = count + 1 if stored_window == current else 1
        if len(self._windows) >= MAX_TRACKED_KEYS:
            self._evict(current)
        self._windows[self._prefix + key] = (current, count)
        return None if count <= limit else (current + 1) * window - now

    def _evict(self, current: int) -> None:
        # Expired windows first; under a flood of distinct clients, also the
        # oldest half. Memory stays bounded at the price of forgetting some counts.
        live = {k: v for k, v in self._windows.items() if v[0] == current}
        if len(live) >= MAX_TRACKED_KEYS:
            live = dict(list(live.items())[len(live) // 2 :])
        self._windows = live

    async def reset(self, key: str, window: int) -> None:  # noqa: ARG002 - one window per key
        self._windows.pop(self._prefix + key, None)

    async def close(self) -> None:
        self._windows.clear()


class RedisRateLimiter:
    """Counters in Redis: INCR and EXPIRE in one transaction, one round trip.

    Fails open: while Redis is unreachable every request is allowed, so an
    outage of the counter store cannot take the API down with it. After a
    failure Redis is left alone for `backoff` seconds (a small circuit
    breaker), then one request probes it: a black-holed Redis costs one
    bounded timeout per back-off, not one per request.
    """

    def __init__(self, redis: Redis, prefix: str, *, backoff: float) -> None:
        self._redis = redis
        self._prefix = prefix
        self._backoff = backoff
        self._retry_at = 0.0  # monotonic; 0 while Redis answers
        self._failing = False

    async def hit(self, key: str, limit: int, window: int) -> float | None:
        now = time.time()
        current = int(now // window)
        redis_key = f"{self._prefix}{key}:{current}"
        if not self._may_call():
            return None
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(redis_key)
                pipe.expire(redis_key, window + 1)
                count, _ = await pipe.execute()
        except REDIS_FAILURES as error:
            self._failed(error)
            return None
        self._succeeded()
        return None if int(count) <= limit else max((current + 1) * window - now, 0.0)

    async def reset(self, key: str, window: int) -> None:
        current = int(time.time() // window)
        if not self._may_call():
            return
        try:
            await self._redis.delete(f"{self._prefix}{key}:{current}")
        except REDIS_FAILURES as error:
            self._failed(error)
            return
        self._succeeded()

    async def close(self) -> None:
        await self._redis.aclose()

    def _may_call(self) -> bool:
        now = time.monotonic()
        if now < self._retry_at:
            return False
        if self._failing:
            # This caller probes; concurrent ones keep skipping until it is done.
            self._retry_at = now + self._backoff
        return True

    def _failed(self, error: Exception) -> None:
        REDIS_FAILURES_TOTAL.inc()
        self._retry_at = time.monotonic() + self._backoff
        if not self._failing:
            # Once per outage, not per request: a flood of identical lines
            # would hide everything else in the log.
            self._failing = True
            # Failing open: requests pass uncounted until Redis answers again.
            _logger.error(
                "rate_limiter_redis_failed_open",
                error=type(error).__name__,
                retry_seconds=self._backoff,
            )

    def _succeeded(self) -> None:
        if self._failing:
            self._failing = False
            self._retry_at = 0.0
            _logger.info("rate_limiter_redis_back")


def create_rate_limiter(settings: HttpSecuritySettings) -> RateLimiter:
    """Redis when `REDIS_URL` is set, otherwise in-process counters."""
    if settings.redis_url is None:
        return MemoryRateLimiter(settings.rate_limit_key_prefix)
    timeout = settings.redis_timeout_seconds
    redis = Redis.from_url(
        settings.redis_url.get_secret_value(),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        # One immediate retry, on a fresh connection: it absorbs a reset of the
        # pooled ones. redis-py's default (3 retries, backing off from 1 s)
        # would hold every request for seconds while Redis is down.
        retry=Retry(NoBackoff(), retries=1),
    )
    return RedisRateLimiter(
        redis, settings.rate_limit_key_prefix, backoff=settings.redis_backoff_seconds
    )


def retry_after(seconds: float) -> str:
    """The `Retry-After` value: whole seconds, never 0 (RFC 9110 §10.2.3)."""
    return str(max(1, math.ceil(seconds)))


async def get_rate_limiter(request: Request) -> RateLimiter:
    """The application's rate limiter."""
    limiter: RateLimiter = request.app.state.rate_limiter
    return limiter


RateLimiterDep = Annotated[RateLimiter, Depends(get_rate_limiter)]
