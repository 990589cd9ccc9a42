"""uvicorn's HTTP/1.1 protocol, bounded before the application sees a request.

uvicorn (httptools parser) arms no timer until it has sent a first response, and
buffers a request head of any size: a client that connects and sends nothing,
or trickles its headers a byte at a time, held a file descriptor for as long as
it liked (thousands of them used up the process's), and a 50 MB header was read
into memory before anything refused it. This subclass adds four bounds:

- the request line and headers must arrive within `HEADER_TIMEOUT` seconds,
  counted from the connection's start or from the first byte of a later request
  on it (idle time between requests is uvicorn's `KEEP_ALIVE_TIMEOUT`);
- the body must then arrive within `BODY_TIMEOUT` seconds;
- a head larger than `MAX_HEAD_BYTES` is answered 431 without reading more;
- beyond `MAX_CONNECTIONS` open connections, a new one is answered 503 and
  closed at once, instead of waiting for its request like uvicorn's own limit.

A connection that misses a deadline is closed without a response: the client
may not have begun a request, and one sending a byte at a time is not waiting
for an answer. `serve` selects this class with uvicorn's `http=` option.
"""

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..settings.config import get_settings

# The request line and headers together. The application refuses headers over
# 16 KiB with a problem+json 431 (core/body_limit.py); this is the backstop that
# stops the server buffering more. An AWS ALB refuses heads over 64 KiB too.
MAX_HEAD_BYTES = 65_536


def _response(status: bytes, text: bytes) -> bytes:
    return (
        b"HTTP/1.1 " + status + b"\r\n"
        b"content-type: text/plain; charset=utf-8\r\n"
        b"content-length: " + str(len(text)).encode() + b"\r\n"
        b"connection: close\r\n\r\n" + text
    )


_HEAD_TOO_LARGE = _response(b"431 Request Header Fields Too Large", b"Request head too large")
_TOO_MANY_CONNECTIONS = _response(b"503 Service Unavailable", b"Too many connections")


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's default protocol with deadlines and a size bound on each request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read here, not passed in: uvicorn builds one instance per connection,
        # in a child process under `--reload`; the settings are cached.
        server = get_settings().server
        self.header_timeout = server.header_timeout
        self.body_timeout = server.body_timeout
        # Bytes of the current request head fed to the parser; None between the
        # end of a head and the end of its request's body.
        self.head_bytes: int | None = 0
        # The head's deadline, then the body's; none while the app answers or
        # the connection idles between requests.
        self.deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # `connections` now includes this one; uvicorn itself would only answer
        # 503 once a whole request head had arrived.
        if self.limit_concurrency is not None and len(self.connections) > self.limit_concurrency:
            transport.write(_TOO_MANY_CONNECTIONS)
            transport.close()
            return
        self._set_deadline(self.header_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._set_deadline(None)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # The parser is fed at most what the head may still take, so a huge
        # header is refused after MAX_HEAD_BYTES, not after it was buffered.
        # Bytes after a head in the same read (a body, a pipelined request)
        # are fed whole: one read is bounded by the event loop's buffer.
        while self.head_bytes is not None and data:
            if self.deadline is None:
                # The first byte of a request that follows another: from here
                # on uvicorn's keep-alive timer no longer runs, ours does.
                self._set_deadline(self.header_timeout)
            room = MAX_HEAD_BYTES - self.head_bytes
            chunk, data = data[:room], data[room:]
            self.head_bytes += len(chunk)
            super().data_received(chunk)
            if self.transport.is_closing():
                return
            if self.head_bytes == MAX_HEAD_BYTES:
                self.transport.write(_HEAD_TOO_LARGE)
                self.transport.close()
                return
        if data:
            super().data_received(data)

    def on_headers_complete(self) -> None:
        self.head_bytes = None
        self._set_deadline(self.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._set_deadline(None)
        super().on_message_complete()
        # Whatever arrives next is the head of the connection's next request.
        self.head_bytes = 0

    def _set_deadline(self, seconds: float | None) -> None:
        """Close the connection in `seconds` unless set again first; None: never."""
        if self.deadline is not None:
            self.deadline.cancel()
        self.deadline = None if seconds is None else self.loop.call_later(seconds, self._expire)

    def _expire(self) -> None:
        self.deadline = None
        self.transport.close()
