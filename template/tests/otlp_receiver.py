"""A real OTLP/HTTP receiver on 127.0.0.1 for the tracing tests.

It decodes the protobuf export requests the service's exporter really sends, so
the tests check what a collector would receive. It also records the headers of
every other request, to see the `traceparent` the service sends onward. Tests
of the exporter script its answers (`replies`) and may serve it over TLS.
"""

import gzip
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)


@dataclass(frozen=True)
class ReceivedSpan:
    """One exported span, ids as lowercase hex."""

    name: str
    trace_id: str
    span_id: str
    parent_span_id: str
    kind: int
    attributes: dict[str, Any]
    service_name: str
    # (name, attributes) of each event recorded on the span.
    events: tuple[tuple[str, dict[str, Any]], ...] = ()


@dataclass(frozen=True)
class Export:
    """One POST (to /v1/traces, unless configured otherwise) as it arrived."""

    path: str
    headers: dict[str, str]
    arrived: float  # time.monotonic()


@dataclass(frozen=True)
class Reply:
    """A scripted answer to an export, instead of the default 200."""

    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


@dataclass
class OtlpReceiver:
    """Spans, exports and plain requests received; thread-safe."""

    spans: list[ReceivedSpan] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    # Answers to the next exports, in order; a 200 when none is left.
    replies: list[Reply] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def wait_for_spans(
        self, predicate: Callable[[ReceivedSpan], bool], count: int = 1, timeout: float = 15
    ) -> list[ReceivedSpan]:
        """The spans matching `predicate`, once at least `count` have arrived."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [span for span in self.spans if predicate(span)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    def add_spans(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    attributes = {a.key: _value(a.value) for a in span.attributes}
                    received.append(
                        ReceivedSpan(
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            kind=span.kind,
                            attributes=attributes,
                            service_name=resource.get("service.name", ""),
                            events=tuple(
                                (event.name, {a.key: _value(a.value) for a in event.attributes})
                                for event in span.events
                            ),
                        )
                    )
        with self.lock:
            self.spans.extend(received)


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


def _handler(receiver: OtlpReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            with receiver.lock:
                receiver.exports.append(
                    Export(self.path, dict(self.headers.items()), time.monotonic())
                )
                reply = receiver.replies.pop(0) if receiver.replies else None
            if reply is not None:
                self._reply(reply.body, reply.status, reply.headers)
                return
            if self.headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/traces":
                receiver.add_spans(body)
            payload = ExportTraceServiceResponse().SerializeToString()
            self._reply(payload, 200, {"content-type": "application/x-protobuf"})

        def do_GET(self) -> None:
            with receiver.lock:
                receiver.requests.append((self.path, dict(self.headers.items())))
            self._reply(b"{}", 200, {"content-type": "application/json"})

        def _reply(self, payload: bytes, status: int, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test output is the service's."""

    return Handler


@contextmanager
def receiving(tls: ssl.SSLContext | None = None) -> Iterator[OtlpReceiver]:
    """A receiver on a free loopback port (HTTPS with `tls`) while the block runs."""
    receiver = OtlpReceiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    scheme = "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    receiver.url = f"{scheme}://127.0.0.1:{server.server_address[1]}"
    # A short poll interval: `shutdown()` waits for one, and tests stop receivers often.
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
