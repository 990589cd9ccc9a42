"""An OTLP span encoder that builds the message top-down, for attribution.py only.

The SDK's encoder (opentelemetry-exporter-otlp-proto-common) builds each
message bottom-up: attributes, then the span around them, then the scope and
resource around the spans, then the request. Protobuf copies a sub-message
into its parent on construction, so every attribute is copied once per level.
Building the request first and filling it in place with `add()` copies
nothing. `install()` swaps this encoder into the OTLP/HTTP span exporter and
checks, on the first batch, that it produces exactly the SDK's bytes; the
difference in cost between the two is what the SDK's encoding could save.

Not part of the generated service: it patches the SDK's exporter module, which
is fine for a measurement and nothing a service should ship.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans as sdk_encode
from opentelemetry.exporter.otlp.proto.http import trace_exporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as PbSpan
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanContext, SpanKind

_KINDS = {
    SpanKind.INTERNAL: PbSpan.SPAN_KIND_INTERNAL,
    SpanKind.SERVER: PbSpan.SPAN_KIND_SERVER,
    SpanKind.CLIENT: PbSpan.SPAN_KIND_CLIENT,
    SpanKind.PRODUCER: PbSpan.SPAN_KIND_PRODUCER,
    SpanKind.CONSUMER: PbSpan.SPAN_KIND_CONSUMER,
}
_HAS_IS_REMOTE, _IS_REMOTE = 0x100, 0x200


def _value(target: AnyValue, value: Any) -> None:
    # The order of the checks is the SDK's: bool before int, str before Sequence.
    if value is None:
        target.SetInParent()
    elif isinstance(value, bool):
        target.bool_value = value
    elif isinstance(value, str):
        target.string_value = value
    elif isinstance(value, int):
        target.int_value = value
    elif isinstance(value, float):
        target.double_value = value
    elif isinstance(value, bytes):
        target.bytes_value = value
    elif isinstance(value, Sequence):
        target.array_value.SetInParent()
        for item in value:
            _value(target.array_value.values.add(), item)
    elif isinstance(value, Mapping):
        target.kvlist_value.SetInParent()
        _attributes(target.kvlist_value.values, value)
    else:
        raise TypeError(f"cannot encode {type(value)}")


def _attributes(target: Any, attributes: Mapping[str, Any] | None) -> None:
    for key, value in (attributes or {}).items():
        pair: KeyValue = target.add()
        pair.key = str(key)
        _value(pair.value, value)


def _flags(parent: SpanContext | None) -> int:
    return _HAS_IS_REMOTE | (_IS_REMOTE if parent is not None and parent.is_remote else 0)


def _trace_state(context: SpanContext) -> str:
    return ",".join(f"{key}={value}" for key, value in context.trace_state.items())


def _span(target: PbSpan, span: ReadableSpan) -> None:
    context = span.get_span_context()
    assert context is not None
    target.trace_id = context.trace_id.to_bytes(16, "big")
    target.span_id = context.span_id.to_bytes(8, "big")
    target.trace_state = _trace_state(context)
    if span.parent is not None:
        target.parent_span_id = span.parent.span_id.to_bytes(8, "big")
    target.flags = _flags(span.parent)
    target.name = span.name
    target.kind = _KINDS[span.kind]
    target.start_time_unix_nano = span.start_time or 0
    target.end_time_unix_nano = span.end_time or 0
    _attributes(target.attributes, span.attributes)
    target.dropped_attributes_count = span.dropped_attributes
    for event in span.events:
        pb_event = target.events.add()
        pb_event.name = event.name
        pb_event.time_unix_nano = event.timestamp
        _attributes(pb_event.attributes, event.attributes)
        pb_event.dropped_attributes_count = event.dropped_attributes
    target.dropped_events_count = span.dropped_events
    for link in span.links:
        pb_link = target.links.add()
        pb_link.trace_id = link.context.trace_id.to_bytes(16, "big")
        pb_link.span_id = link.context.span_id.to_bytes(8, "big")
        _attributes(pb_link.attributes, link.attributes)
        pb_link.dropped_attributes_count = link.dropped_attributes
        pb_link.flags = _flags(link.context)
    target.dropped_links_count = span.dropped_links
    target.status.code = span.status.status_code.value
    target.status.message = span.status.description or ""


def encode_spans(spans: Sequence[ReadableSpan]) -> ExportTraceServiceRequest:
    """The same request as the SDK's `encode_spans`, built in place."""
    request = ExportTraceServiceRequest()
    # Grouped by identity: a provider has one resource and one scope per
    # tracer. (The SDK groups by value, hashing the resource through
    # json.dumps once per span; `install()` checks the output is the same.)
    resources: dict[int, tuple[Any, dict[int, Any]]] = {}
    for span in spans:
        entry = resources.get(id(span.resource))
        if entry is None:
            resource_spans = request.resource_spans.add()
            resource_spans.resource.SetInParent()
            _attributes(resource_spans.resource.attributes, span.resource.attributes)
            resource_spans.schema_url = span.resource.schema_url
            entry = resources[id(span.resource)] = (resource_spans, {})
        resource_spans, scopes = entry
        scope = span.instrumentation_scope or None
        scope_spans = scopes.get(id(scope))
        if scope_spans is None:
            scope_spans = scopes[id(scope)] = resource_spans.scope_spans.add()
            scope_spans.scope.SetInParent()
            if scope is not None:
                scope_spans.scope.name = scope.name
                scope_spans.scope.version = scope.version or ""
                _attributes(scope_spans.scope.attributes, scope.attributes)
                scope_spans.schema_url = scope.schema_url or ""
        _span(scope_spans.spans.add(), span)
    return request


def install() -> None:
    """Make the OTLP/HTTP span exporter encode with `encode_spans`."""
    checked = False

    def checked_encode(spans: Sequence[ReadableSpan]) -> ExportTraceServiceRequest:
        nonlocal checked
        request = encode_spans(spans)
        if not checked:
            checked = True
            if request.SerializeToString() != sdk_encode(spans).SerializeToString():
                print("the top-down encoder differs from the SDK's", file=sys.stderr, flush=True)
                os._exit(1)  # this runs in the export thread: end the process, not the thread
        return request

    trace_exporter.encode_spans = checked_encode  # type: ignore[attr-defined]
