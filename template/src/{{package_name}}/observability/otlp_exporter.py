"""The OTLP/HTTP span exporter: protobuf over HTTP POST, retried within a deadline.

The service's own rather than the SDK's (opentelemetry-exporter-otlp-proto-http)
for one reason: the SDK's exporter has no public way to swap its encoder, and
encoding is the largest part of what a span costs (see `otlp_encoding`). What
it does follows the OTLP specification: 429, 502, 503 and 504 and failed
connections are retried with exponential backoff and jitter, or after the
server's `Retry-After`, until the export's deadline; anything else drops the
batch with one error logged; a partial success is logged with the collector's
message. `build_exporter` configures it, or the SDK's gRPC exporter, from
`TracingSettings`.
"""

import gzip
import logging
import random
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import UTC
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from pathlib import Path
from ssl import SSLContext

import httpx
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from ..about import DISTRIBUTION
from ..core.settings.tracing import ExporterOptions, TracingSettings
from .otlp_encoding import encode_spans

# The standard library's logger, as in otlp_encoding: it runs in the export thread.
_logger = logging.getLogger(__name__)

_RETRYABLE = frozenset(
    {
        HTTPStatus.TOO_MANY_REQUESTS,
        HTTPStatus.BAD_GATEWAY,
        HTTPStatus.SERVICE_UNAVAILABLE,
        HTTPStatus.GATEWAY_TIMEOUT,
    }
)
_PROTOBUF = "application/x-protobuf"


def build_exporter(settings: TracingSettings) -> SpanExporter:
    """The OTLP exporter for the configured protocol, endpoint and options."""
    options = settings.exporter
    base = settings.exporter_otlp_endpoint or ""
    if settings.exporter_otlp_protocol == "grpc":
        return _grpc_exporter(settings.exporter_otlp_traces_endpoint or base, options)
    # Per the specification, a signal-specific endpoint is used as is, and the
    # base endpoint gets the signal's path appended.
    return OtlpHttpSpanExporter(
        settings.exporter_otlp_traces_endpoint or f"{base.rstrip('/')}/v1/traces",
        headers=options.headers,
        timeout=options.timeout_seconds,
        gzip_body=options.compression == "gzip",
        ssl_context=options.ssl_context(),
    )


def _grpc_exporter(endpoint: str, options: ExporterOptions) -> SpanExporter:
    # Optional extra `otlp-grpc`: grpcio is large and most collectors speak HTTP.
    import grpc  # noqa: PLC0415
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
        OTLPSpanExporter as GrpcSpanExporter,
    )

    # Everything passed explicitly, so both protocols read the same settings
    # (the SDK's exporter would read the timeout in seconds, from the real
    # environment only).
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


def _read(path: Path | None) -> bytes | None:
    return path.read_bytes() if path is not None else None


class OtlpHttpSpanExporter(SpanExporter):
    """Posts batches of spans to one OTLP/HTTP endpoint; used by the batch processor's thread."""

    # Seconds before the first retry; each further one waits twice as long.
    first_backoff = 1.0

    def __init__(
        self,
        endpoint: str,
        *,
        headers: Mapping[str, str],
        timeout: float,
        gzip_body: bool,
        ssl_context: SSLContext,
    ) -> None:
        """`timeout` bounds one export, retries included, in seconds."""
        self.endpoint = endpoint
        self._timeout = timeout
        fixed = {"Content-Type": _PROTOBUF, "User-Agent": f"{DISTRIBUTION}-otlp-exporter"}
        if gzip_body:
            fixed["Content-Encoding"] = "gzip"
        self._gzip = gzip_body
        # Configured headers first: a collector's credentials may not replace the content type.
        self._client = httpx.Client(headers={**headers, **fixed}, verify=ssl_context)
        self._stopping = threading.Event()

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Send `spans` in one request; retry transient failures until the deadline."""
        if self._stopping.is_set():
            return SpanExportResult.FAILURE
        body = encode_spans(spans)
        if self._gzip:
            body = gzip.compress(body, compresslevel=6)
        deadline = time.monotonic() + self._timeout
        backoff = self.first_backoff
        problem = "no attempt"
        # Checked before every attempt: on a busy machine a wait can overrun the
        # deadline, and httpx refuses a negative timeout.
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                response = self._client.post(self.endpoint, content=body, timeout=remaining)
            except httpx.TransportError as error:  # refused, reset, timed out, TLS refused
                problem, wait = f"{type(error).__name__}: {error}", None
            else:
                if response.is_success:
                    _log_partial_success(response)
                    return SpanExportResult.SUCCESS
                if response.status_code not in _RETRYABLE:
                    _log_failure(spans, f"HTTP {response.status_code}", _error_text(response))
                    return SpanExportResult.FAILURE
                problem, wait = f"HTTP {response.status_code}", retry_after(response)
            # Jitter keeps the replicas of a service from retrying in lockstep.
            wait = backoff * random.uniform(0.8, 1.2) if wait is None else wait  # noqa: S311
            if time.monotonic() + wait >= deadline:
                break
            if self._stopping.wait(wait):
                _log_failure(spans, problem, "shutting down")
                return SpanExportResult.FAILURE
            backoff *= 2
        _log_failure(spans, problem, "no time left to retry")
        return SpanExportResult.FAILURE

    def shutdown(self) -> None:
        """Abandon a retry in progress and close the connections."""
        self._stopping.set()
        self._client.close()


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asked us to wait (delay-seconds or an HTTP date), if it said."""
    value = response.headers.get("retry-after", "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    # An HTTP date is in GMT, even written with -0000, which parses as naive.
    return max(when.replace(tzinfo=when.tzinfo or UTC).timestamp() - time.time(), 0.0)


def _error_text(response: httpx.Response) -> str:
    """The start of a textual error body; a protobuf one would be unreadable in a log."""
    content_type = response.headers.get("content-type", "")
    if content_type.startswith(("text/", "application/json")):
        return response.text[:200]
    return response.reason_phrase


def _log_partial_success(response: httpx.Response) -> None:
    # A collector that accepted only some spans says so in a 200's body.
    if not response.content or not response.headers.get("content-type", "").startswith(_PROTOBUF):
        return
    try:
        partial = ExportTraceServiceResponse.FromString(response.content).partial_success
    except DecodeError:
        _logger.warning("OTLP export: the collector's answer is not an export response")
        return
    if partial.rejected_spans or partial.error_message:
        _logger.warning(
            "OTLP export: the collector rejected %d spans: %s",
            partial.rejected_spans,
            partial.error_message,
        )


def _log_failure(spans: Sequence[ReadableSpan], problem: str, detail: str) -> None:
    _logger.error("OTLP export of %d spans failed: %s (%s)", len(spans), problem, detail)
