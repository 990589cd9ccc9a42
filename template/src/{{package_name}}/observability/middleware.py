"""One pure ASGI middleware for the per-request side of observability.

For each HTTP request it assigns the request id (echoed in `X-Request-ID`), counts
and times the request for Prometheus by route template, writes the one access-log
line, and logs an unhandled exception exactly once before answering 500.

One class rather than three: each ASGI layer costs a coroutine and a `send`
wrapper per request, and these share their inputs (status, timing, route).
Nothing here is configured per request: loggers and metric children are resolved
once and reused.
"""

import time
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.typing import FilteringBoundLogger

from ..core.errors.handlers import internal_error_response
from ..core.http.request_context import accept_request_id, request_id_var, user_id_var
from .metrics import UNMATCHED_ROUTE, HttpMetrics, method_label
from .metrics_router import METRICS_PATH
from .tracing import ServerSpans

# Probes and scrapes arrive every few seconds and say nothing about users'
# traffic: they are kept out of the RED metrics, traces and the info-level log.
UNOBSERVED_PATHS = frozenset({"/health/live", "/health/ready", METRICS_PATH})

_logger: FilteringBoundLogger = structlog.get_logger(logger_name=__name__)


class _Response:
    """What the middleware learns from the messages the app sends."""

    __slots__ = ("size", "started", "status")

    def __init__(self) -> None:
        # A response that never starts is reported as the 500 the client gets.
        self.status = 500
        self.size = 0
        self.started = False


class ObservabilityMiddleware:
    """Request id, RED metrics, the request's span, access log and last-resort error logging."""

    def __init__(self, app: ASGIApp, tracer_provider: TracerProvider | None = None) -> None:
        self.app = app
        self.metrics = HttpMetrics()
        # None when tracing is off: then no tracing code runs at all.
        self.spans = ServerSpans(tracer_provider) if tracer_provider is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        incoming_id = traceparent = tracestate = None
        request_size = 0
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming_id = value.decode("latin-1")
            elif name == b"content-length" and value.isdigit():
                request_size = int(value)
            elif name == b"traceparent":
                traceparent = value.decode("latin-1")
            elif name == b"tracestate":
                tracestate = value.decode("latin-1")
        request_id = accept_request_id(incoming_id)
        token = request_id_var.set(request_id)
        id_header = (b"x-request-id", request_id.encode())
        response = _Response()

        async def send_observed(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Routes answer with HTTPStatus members too; logs, metrics and
                # spans want the plain number (a console shows the enum's repr).
                response.status = int(message["status"])
                response.started = True
                message["headers"] = [*message.get("headers", ()), id_header]
            elif message["type"] == "http.response.body":
                response.size += len(message.get("body", b""))
            await send(message)

        observed = scope["path"] not in UNOBSERVED_PATHS
        method = method_label(scope["method"])
        in_progress = self.metrics.in_progress(method) if observed else None
        if in_progress is not None:
            in_progress.inc()
        spans = self.spans if observed else None
        if spans is not None:
            span, span_token = spans.start(scope, traceparent, tracestate)
        try:
            await self.app(scope, receive, send_observed)
        except Exception as exc:  # noqa: BLE001 - the last place an error can be handled
            await self._handle_unexpected(exc, scope, receive, send_observed, response)
        finally:
            duration = time.perf_counter() - start
            # `path_format`: `/items/{item_id}`, without the `:uuid` convertor.
            template: str | None = getattr(scope.get("route"), "path_format", None)
            route = template or UNMATCHED_ROUTE
            if in_progress is not None:
                in_progress.dec()
                self.metrics.observe(
                    method,
                    route,
                    response.status,
                    duration=duration,
                    request_size=request_size,
                    response_size=response.size,
                )
            # Before the span ends, so the access line carries its ids.
            self._access_log(scope, route, response.status, duration, observed=observed)
            if spans is not None:
                spans.end(span, span_token, scope["method"], template, response.status)
            request_id_var.reset(token)

    async def _handle_unexpected(
        self, exc: Exception, scope: Scope, receive: Receive, send: Send, response: _Response
    ) -> None:
        # Logged here, once, with the traceback; not re-raised, so neither
        # Starlette nor uvicorn prints it a second time.
        _logger.error("unhandled_exception", path=scope["path"], exc_info=exc)
        span = trace.get_current_span()
        if span.is_recording():
            span.record_exception(exc)
            span.set_status(trace.StatusCode.ERROR, type(exc).__name__)
        if not response.started:
            await internal_error_response(Request(scope))(scope, receive, send)

    @staticmethod
    def _access_log(
        scope: Scope, route: str, status: int, duration: float, *, observed: bool
    ) -> None:
        client = scope.get("client")
        fields: dict[str, Any] = {
            "method": scope["method"],
            "route": route,
            "status": status,
            "duration_ms": round(duration * 1000, 3),
            "client": client[0] if client else None,
        }
        user_id = user_id_var.get()
        if user_id is not None:
            fields["user_id"] = user_id
        if observed:
            _logger.info("http_request", **fields)
        else:
            _logger.debug("http_request", **fields)
