"""Prometheus metrics: HTTP RED metrics, the database pool, build info and auth events.

Metrics are process-wide, as prometheus_client intends. With several worker
processes, set `PROMETHEUS_MULTIPROC_DIR` (an empty directory, before the server
starts): each worker then writes its values to files there and /metrics sums
them, so a scrape that lands on any worker sees the whole service.

Label values are bounded by construction: routes are templates (`/items/{item_id}`)
or the single value `UNMATCHED_ROUTE`; methods outside the standard set collapse to
`OTHER`; statuses are classes (`2xx`).
"""

import os
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from prometheus_client import multiprocess as prometheus_multiprocess
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

UNMATCHED_ROUTE = "<unmatched>"
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds; dense below 100 ms where an API's requests should be.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
_SIZE_BUCKETS = (100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000)

HTTP_REQUESTS = Counter("http_requests", "HTTP requests served.", ["method", "route", "status"])
HTTP_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time from the request's arrival to the end of its response.",
    ["method", "route"],
    buckets=_LATENCY_BUCKETS,
)
HTTP_REQUEST_SIZE = Histogram(
    "http_request_size_bytes",
    "Request body size (Content-Length).",
    ["method", "route"],
    buckets=_SIZE_BUCKETS,
)
HTTP_RESPONSE_SIZE = Histogram(
    "http_response_size_bytes", "Response body size.", ["method", "route"], buckets=_SIZE_BUCKETS
)
# The route is unknown until routing, so in-flight requests are counted per method.
HTTP_IN_PROGRESS = Gauge(
    "http_requests_in_progress",
    "Requests being served now.",
    ["method"],
    multiprocess_mode="livesum",
)

DB_POOL_SIZE = Gauge(
    "db_pool_size", "Connections the pool keeps open.", multiprocess_mode="livesum"
)
DB_POOL_MAX_OVERFLOW = Gauge(
    "db_pool_max_overflow", "Extra connections allowed under bursts.", multiprocess_mode="livesum"
)
DB_POOL_CHECKED_OUT = Gauge(
    "db_pool_checked_out", "Connections in use by requests.", multiprocess_mode="livesum"
)
DB_POOL_OVERFLOW = Gauge(
    "db_pool_overflow", "Overflow connections open now.", multiprocess_mode="livesum"
)

BUILD_INFO = Gauge(
    "app_build_info",
    "Always 1; the labels say which build is running.",
    ["version", "commit"],
    multiprocess_mode="max",
)
READY = Gauge(
    "app_ready",
    "1 when the last readiness probe passed, 0 when it failed.",
    multiprocess_mode="livemin",
)


def record_readiness(*, ready: bool) -> None:
    """Remember the outcome of the readiness probe for the `app_ready` gauge."""
    READY.set(1 if ready else 0)


def set_build_info(version: str, commit: str) -> None:
    """Publish which build runs in this process."""
    BUILD_INFO.labels(version=version, commit=commit).set(1)


def method_label(method: str) -> str:
    """`method`, or `OTHER` for anything non-standard (clients choose methods freely)."""
    return method if method in _METHODS else "OTHER"


@dataclass(frozen=True, slots=True)
class _RouteSeries:
    requests: Any
    duration: Any
    request_size: Any
    response_size: Any


class HttpMetrics:
    """Records one request; resolves label children once per label set, not per request."""

    def __init__(self) -> None:
        self._series: dict[tuple[str, str, int], _RouteSeries] = {}
        self._in_progress: dict[str, Any] = {}

    def in_progress(self, method: str) -> Any:
        """The in-flight gauge child for `method` (already a bounded label)."""
        child = self._in_progress.get(method)
        if child is None:
            child = self._in_progress[method] = HTTP_IN_PROGRESS.labels(method=method)
        return child

    def observe(
        self,
        method: str,
        route: str,
        status: int,
        *,
        duration: float,
        request_size: int,
        response_size: int,
    ) -> None:
        """Count the request and observe its duration and sizes."""
        status_class = status // 100
        key = (method, route, status_class)
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = _RouteSeries(
                HTTP_REQUESTS.labels(method=method, route=route, status=f"{status_class}xx"),
                HTTP_DURATION.labels(method=method, route=route),
                HTTP_REQUEST_SIZE.labels(method=method, route=route),
                HTTP_RESPONSE_SIZE.labels(method=method, route=route),
            )
        series.requests.inc()
        series.duration.observe(duration)
        series.request_size.observe(request_size)
        series.response_size.observe(response_size)


def instrument_pool(engine: AsyncEngine) -> None:
    """Keep the pool gauges current: updated on checkout and checkin, read at scrape."""
    pool = engine.sync_engine.pool
    if not isinstance(pool, QueuePool):  # pragma: no cover - every engine we build pools
        return
    DB_POOL_SIZE.set(pool.size())
    # QueuePool has no public accessor for its overflow limit.
    DB_POOL_MAX_OVERFLOW.set(max(pool._max_overflow, 0))

    def _on_checkout(*_args: Any) -> None:
        DB_POOL_CHECKED_OUT.set(pool.checkedout())
        # overflow() counts from -size upward; only positive values are connections.
        DB_POOL_OVERFLOW.set(max(pool.overflow(), 0))

    def _on_checkin(*_args: Any) -> None:
        # The event fires before the connection goes back to the pool.
        DB_POOL_CHECKED_OUT.set(max(pool.checkedout() - 1, 0))

    event.listen(pool, "checkout", _on_checkout)
    event.listen(pool, "checkin", _on_checkin)


def mark_process_dead() -> None:
    """In multiprocess mode, drop this worker's live gauges when it stops."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        prometheus_multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
