"""Wires logging, metrics and tracing into the application and its lifespan."""

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider

from ..core.database.engine import Database
from ..core.settings.config import Settings
from .metrics import instrument_pool, mark_process_dead, set_build_info
from .metrics_router import build_metrics_router
from .middleware import ObservabilityMiddleware
from .tracing import SqlSpans, setup_tracing, shutdown_tracing


def install_observability(app: FastAPI, settings: Settings) -> None:
    """/metrics, the request middleware and tracing for `app`.

    Call it after every other middleware is added: the middleware added last
    runs first, and this one must see every request and every error. Logging is
    configured earlier, by `create_app`, so building the app logs as JSON too.
    """
    set_build_info(app.version, settings.observability.build_commit)
    if settings.observability.metrics_enabled:
        app.include_router(build_metrics_router())
    provider = setup_tracing(settings.tracing, app.version)
    app.state.tracer_provider = provider
    app.add_middleware(ObservabilityMiddleware, tracer_provider=provider)


@contextmanager
def observe_database(app: FastAPI, database: Database) -> Iterator[None]:
    """Pool gauges and SQL spans for the lifespan's database; flushes spans at exit."""
    instrument_pool(database.engine)
    provider: TracerProvider | None = app.state.tracer_provider
    sql_spans = SqlSpans(database.engine, provider) if provider is not None else None
    try:
        yield
    finally:
        if sql_spans is not None:
            sql_spans.remove()
        if provider is not None:
            shutdown_tracing(provider)
        mark_process_dead()
