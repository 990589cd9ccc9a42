"""OpenTelemetry tracing: one provider per process, exported over OTLP in batches.

Spans leave through the OpenTelemetry SDK's own OTLP exporters (HTTP/protobuf,
or gRPC with the `otlp-grpc` extra), given every option from the settings.

Configured from the standard `OTEL_*` variables (see `TracingSettings`). When
tracing is off nothing here runs: no provider, no middleware, no SQL hooks, so
the service pays nothing for it.
"""

import os
from http import HTTPStatus
from pathlib import Path
from typing import Any

import requests
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
from opentelemetry.sdk.resources import SERVICE_NAME, SERVICE_VERSION, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter
from opentelemetry.sdk.trace.sampling import (
    ALWAYS_OFF,
    ALWAYS_ON,
    ParentBased,
    Sampler,
    TraceIdRatioBased,
)
from opentelemetry.trace import Span, SpanKind, StatusCode
from sqlalchemy import event
from sqlalchemy.engine import Connection, ExceptionContext, ExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Scope

from ..about import PACKAGE
from ..core.settings.tracing import ExporterOptions, TracingSettings

_EXPORT_BATCH_SIZE = 128


def _sampler(settings: TracingSettings) -> Sampler:
    ratio = TraceIdRatioBased(settings.traces_sampler_arg)
    samplers: dict[str, Sampler] = {
        "always_on": ALWAYS_ON,
        "always_off": ALWAYS_OFF,
        "traceidratio": ratio,
        "parentbased_always_on": ParentBased(ALWAYS_ON),
        "parentbased_always_off": ParentBased(ALWAYS_OFF),
        # The default: follow the caller's decision (traceparent), else sample a ratio.
        "parentbased_traceidratio": ParentBased(ratio),
    }
    return samplers[settings.traces_sampler]


def _resource(settings: TracingSettings, version: str) -> Resource:
    attributes: dict[str, str] = {}
    for pair in settings.resource_attributes.split(","):
        key, separator, value = pair.partition("=")
        if separator and key.strip():
            attributes[key.strip()] = value.strip()
    return Resource.create(
        {**attributes, SERVICE_NAME: settings.service_name, SERVICE_VERSION: version}
    )


def build_exporter(settings: TracingSettings) -> SpanExporter:
    """The SDK's OTLP exporter for the configured protocol, endpoint and options.

    Everything is passed explicitly, so both protocols read the same settings,
    `.env` included (left to itself the SDK would read the timeout in seconds,
    from the real environment only).
    """
    options = settings.exporter
    base = settings.exporter_otlp_endpoint or ""
    if settings.exporter_otlp_protocol == "grpc":
        return _grpc_exporter(settings.exporter_otlp_traces_endpoint or base, options)
    # Per the specification, a signal-specific endpoint is used as is, and the
    # base endpoint gets the signal's path appended.
    return OTLPSpanExporter(
        endpoint=settings.exporter_otlp_traces_endpoint or f"{base.rstrip('/')}/v1/traces",
        certificate_file=_path(options.certificate),
        client_certificate_file=_path(options.client_certificate),
        client_key_file=_path(options.client_key),
        headers=options.headers,
        timeout=options.timeout_seconds,
        compression=Compression.Gzip
        if options.compression == "gzip"
        else Compression.NoCompression,
        session=_CaFileSession() if options.certificate is not None else None,
    )


class _CaFileSession(requests.Session):
    """A session whose configured CA file wins over `REQUESTS_CA_BUNDLE`.

    requests lets that variable (or `CURL_CA_BUNDLE`) replace a session's
    `verify` on every request (psf/requests#3829): OTEL_EXPORTER_OTLP_CERTIFICATE
    would be ignored, silently, wherever an image sets them.
    """

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        verify = self.verify if verify is None else verify
        return super().merge_environment_settings(url, proxies, stream, verify, cert)


def _grpc_exporter(endpoint: str, options: ExporterOptions) -> SpanExporter:
    # Optional extra `otlp-grpc`: grpcio is large and most collectors speak HTTP.
    import grpc  # noqa: PLC0415
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter as GrpcSpanExporter,
    )

    credentials = None
    if options.certificate is not None or options.client_certificate is not None:
        credentials = grpc.ssl_channel_credentials(
            root_certificates=_read(options.certificate),
            private_key=_read(options.client_key),
            certificate_chain=_read(options.client_certificate),
        )
    return GrpcSpanExporter(
        endpoint=endpoint,
        credentials=credentials,
        headers=options.headers,
        timeout=options.timeout_seconds,
        compression=grpc.Compression.Gzip
        if options.compression == "gzip"
        else grpc.Compression.NoCompression,
    )


def _path(path: Path | None) -> str | None:
    return str(path) if path is not None else None


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None else None


def setup_tracing(settings: TracingSettings, version: str) -> TracerProvider | None:
    """A provider exporting through a batch processor; None when tracing is off.

    Also traces outgoing httpx calls, which carry the W3C `traceparent` onward.
    """
    if not settings.enabled:
        return None
    provider = TracerProvider(resource=_resource(settings, version), sampler=_sampler(settings))
    # Smaller batches: the export thread holds the GIL while it encodes a batch,
    # and 512 spans (the SDK default) stall the event loop for tens of
    # milliseconds, which shows in p99. OTEL_BSP_MAX_EXPORT_BATCH_SIZE still wins.
    batch_size = None if "OTEL_BSP_MAX_EXPORT_BATCH_SIZE" in os.environ else _EXPORT_BATCH_SIZE
    provider.add_span_processor(
        BatchSpanProcessor(build_exporter(settings), max_export_batch_size=batch_size)
    )
    # The global provider serves `trace.get_tracer(__name__)` in our own code.
    # OpenTelemetry allows setting it once per process; later calls only warn.
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    return provider


class ServerSpans:
    """The one span per HTTP request, started and ended by ObservabilityMiddleware.

    Neither opentelemetry-instrumentation-fastapi nor FastAPI's built-in
    telemetry (switched off in `create_app`): measured on this service, the
    former added about 300 us per request (it matches every route again to name
    the span, collects a dozen attributes and wraps the app in three more
    layers), the latter five spans per request. The middleware knows the route
    once routing is done, so one span with a handful of attributes suffices.
    """

    def __init__(self, provider: TracerProvider) -> None:
        self._tracer = provider.get_tracer(f"{PACKAGE}.http")

    def start(
        self, scope: Scope, traceparent: str | None, tracestate: str | None
    ) -> tuple[Span, object]:
        """Start the request's span, parented on the caller's `traceparent`, and make it current."""
        parent: Context | None = None
        if traceparent is not None:
            carrier = {"traceparent": traceparent}
            if tracestate is not None:
                carrier["tracestate"] = tracestate
            parent = propagate.extract(carrier)
        client = scope.get("client")
        span = self._tracer.start_span(
            scope["method"],
            context=parent,
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": scope["method"],
                "url.path": scope["path"],
                "url.scheme": scope["scheme"],
                "client.address": client[0] if client else "",
            },
        )
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        return span, token

    @staticmethod
    def end(span: Span, token: object, method: str, route: str | None, status: int) -> None:
        """Name the span after the route template, record the status and end it."""
        attributes: dict[str, str | int] = {"http.response.status_code": status}
        if route is not None:
            span.update_name(f"{method} {route}")
            attributes["http.route"] = route
        span.set_attributes(attributes)  # one lock, not one per attribute
        if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
            span.set_status(StatusCode.ERROR)
        span.end()
        otel_context.detach(token)  # type: ignore[arg-type]


# Transaction control says nothing that the statements' spans do not; on SQLite
# the service issues BEGIN itself, once per request.
_UNTRACED_OPERATIONS = frozenset({"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"})


class SqlSpans:
    """One CLIENT span per SQL statement on an engine, a child of the current span.

    Two SQLAlchemy cursor events instead of opentelemetry-instrumentation-sqlalchemy,
    whose hook parses the engine URL and strips comments on every statement and
    sets each attribute separately; here the constant attributes are computed
    once. Attribute names follow the stable database semantic conventions.
    """

    def __init__(self, engine: AsyncEngine, provider: TracerProvider) -> None:
        self._tracer = provider.get_tracer(f"{PACKAGE}.sql")
        self._engine = engine.sync_engine
        url = engine.url
        # A server database's name completes the span name; a SQLite file's
        # path would only make it long.
        self._name_suffix = f" {url.database}" if url.host and url.database else ""
        self._attributes: dict[str, str | int] = {
            "db.system.name": url.get_backend_name(),
            "db.namespace": url.database or "",
        }
        if url.host:
            self._attributes["server.address"] = url.host
        if url.port:
            self._attributes["server.port"] = url.port
        event.listen(self._engine, "before_cursor_execute", self._start)
        event.listen(self._engine, "after_cursor_execute", self._end)
        event.listen(self._engine, "handle_error", self._fail)

    def remove(self) -> None:
        """Stop tracing the engine's statements."""
        event.remove(self._engine, "before_cursor_execute", self._start)
        event.remove(self._engine, "after_cursor_execute", self._end)
        event.remove(self._engine, "handle_error", self._fail)

    def _start(
        self,
        _connection: Connection,
        _cursor: object,
        statement: str,
        _parameters: object,
        context: ExecutionContext | None,
        _executemany: bool,
    ) -> None:
        words = statement.split(None, 1)
        operation = words[0].upper() if words else ""
        if context is None or operation in _UNTRACED_OPERATIONS:
            return
        # The query text holds placeholders, never the bound values.
        span = self._tracer.start_span(
            operation + self._name_suffix,
            kind=SpanKind.CLIENT,
            attributes={
                **self._attributes,
                "db.operation.name": operation,
                "db.query.text": statement,
            },
        )
        context.app_span = span  # type: ignore[attr-defined]

    @staticmethod
    def _end(
        _connection: Connection,
        _cursor: object,
        _statement: str,
        _parameters: object,
        context: ExecutionContext | None,
        _executemany: bool,
    ) -> None:
        span: Span | None = getattr(context, "app_span", None)
        if span is not None:
            span.end()

    @staticmethod
    def _fail(exception_context: ExceptionContext) -> None:
        span: Span | None = getattr(exception_context.execution_context, "app_span", None)
        if span is not None:
            error = exception_context.original_exception
            span.set_status(StatusCode.ERROR, type(error).__name__)
            span.end()


def shutdown_tracing(provider: TracerProvider) -> None:
    """Export the spans still queued and remove the process-wide hooks."""
    HTTPXClientInstrumentor().uninstrument()
    provider.shutdown()
