"""Logging, configured once per process: structlog for our code, the same output for everyone.

Our own loggers are structlog's native filtering loggers writing straight to
stdout (a disabled level costs one method call; no `logging.LogRecord` per line).
The standard library's loggers (uvicorn, SQLAlchemy, libraries) go through one
root handler whose `ProcessorFormatter` runs the same processors and renderer, so
every line has one format and nothing is printed twice.
"""

import json
import logging
import os
import sys
from collections.abc import Callable
from typing import Any

import orjson
import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

from ..core.http.request_context import request_id_var
from ..core.settings.config import Environment, Settings
from .redaction import redact_secrets

# uvicorn's own handlers would print a second, differently formatted copy.
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class _StdoutHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The root handler `configure_logging` installs, recognisable when it reconfigures."""


def _add_request_id(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    # Read from the ContextVar the middleware sets: cheaper than binding it
    # through structlog's contextvars on every request.
    request_id = request_id_var.get()
    if request_id is not None:
        event_dict.setdefault("request_id", request_id)
    return event_dict


def _add_stdlib_logger_name(
    _logger: WrappedLogger, _method: str, event_dict: EventDict
) -> EventDict:
    # The same key our own loggers carry: structlog.get_logger(logger_name=__name__).
    event_dict["logger_name"] = event_dict["_record"].name
    return event_dict


def _add_trace_ids(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event_dict["trace_id"] = format(context.trace_id, "032x")
        event_dict["span_id"] = format(context.span_id, "016x")
    return event_dict


def _shared_processors(settings: Settings) -> list[Processor]:
    processors: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
    ]
    if settings.tracing.enabled:
        processors.append(_add_trace_ids)
    return processors


def _json_bytes(event: EventDict, default: Callable[[Any], Any]) -> bytes:
    try:
        # orjson: about ten times faster than `json.dumps` on an access line.
        return orjson.dumps(event, default=default, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:  # orjson.JSONEncodeError: e.g. an integer beyond 64 bits
        return json.dumps(event, default=default).encode()


def _json_text(event: EventDict, default: Callable[[Any], Any]) -> str:
    return _json_bytes(event, default).decode()


def _is_console(settings: Settings) -> bool:
    log_format = settings.observability.log_format or (
        "console" if settings.environment == Environment.DEVELOPMENT else "json"
    )
    return log_format == "console"


def _renderer(settings: Settings, serializer: Callable[..., str | bytes]) -> list[Processor]:
    if _is_console(settings):
        # The console renderer formats exceptions itself. Colours only on a terminal
        # (a file or pipe would keep the escape codes) and not against NO_COLOR.
        colors = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        return [redact_secrets, structlog.dev.ConsoleRenderer(colors=colors)]
    # Tracebacks become a string field before redaction, so URLs and tokens in
    # exception messages are scrubbed too. (No local variables: they hold secrets.)
    return [
        structlog.processors.format_exc_info,
        redact_secrets,
        structlog.processors.JSONRenderer(serializer=serializer),
    ]


def configure_logging(settings: Settings) -> None:
    """Route every logger in the process through one set of processors.

    Idempotent: the application factory calls it, and so does the CLI before
    uvicorn starts, so the server's first lines are formatted too.
    """
    level = logging.getLevelNamesMapping()[settings.log_level]
    shared = _shared_processors(settings)
    # Our own JSON lines go to stdout as bytes, skipping a decode and re-encode;
    # each write is flushed, as the standard library's are, so lines keep their order.
    as_bytes = not _is_console(settings) and hasattr(sys.stdout, "buffer")
    logger_factory: Callable[..., Any] = (
        structlog.BytesLoggerFactory(file=sys.stdout.buffer)
        if as_bytes
        else structlog.WriteLoggerFactory(file=sys.stdout)
    )
    structlog.configure(
        processors=[*shared, *_renderer(settings, _json_bytes if as_bytes else _json_text)],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=logger_factory,
        cache_logger_on_first_use=True,
    )

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[_add_stdlib_logger_name, *shared],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *_renderer(settings, _json_text),
        ],
    )
    handler = _StdoutHandler(sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Replace our own handler from an earlier call; keep anyone else's (pytest's caplog).
    root.handlers = [h for h in root.handlers if not isinstance(h, _StdoutHandler)]
    root.addHandler(handler)
    root.setLevel(level)
    for name in _UVICORN_LOGGERS:
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # The access log is ours (one line per request with the route and request id).
    logging.getLogger("uvicorn.access").disabled = True
