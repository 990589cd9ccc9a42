"""An upstream that fails on purpose: a real HTTP server on 127.0.0.1, scripted per request.

Each request takes the next scripted `Reply` (or the default one when the
script is empty): a status with a body and headers, after a delay, or a reset
connection (an RST, as a crashed peer or a load balancer sends). Every request
is recorded with its arrival time and headers. Runs in threads, one per
connection, so synchronous and async tests can both drive it.
"""

import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


@dataclass(frozen=True)
class Reply:
    """What the upstream does with one request."""

    status: int = 200
    body: bytes = b'{"available": 3}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False


@dataclass(frozen=True)
class Received:
    """One request as the upstream saw it."""

    method: str
    path: str
    headers: dict[str, str]
    at: float


class FlakyUpstream:
    """The server; use as a context manager. `url` is its base URL."""

    def __init__(self, default: Reply | None = None) -> None:
        self.default = default or Reply()
        self.received: list[Received] = []
        self._script: deque[Reply] = deque()
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(self, *replies: Reply) -> None:
        """Answer the next requests with `replies`, in order, then with the default."""
        with self._lock:
            self._script.extend(replies)

    def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Block until `count` requests have arrived in all."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.received) >= count, timeout):
                raise TimeoutError(f"{len(self.received)} of {count} requests arrived")

    def _next(self, received: Received) -> Reply:
        with self._lock:
            self.received.append(received)
            self._lock.notify_all()
            return self._script.popleft() if self._script else self.default

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        upstream = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as real upstreams: the client's pool reuses connections.
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                reply = upstream._next(
                    Received(self.command, self.path, dict(self.headers), time.monotonic())
                )
                time.sleep(reply.delay)
                if reply.reset:
                    # Linger 0: close() sends RST instead of FIN.
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle  # noqa: N815

            def log_message(self, *_args: object) -> None:
                """Quiet: the test reads `received` instead."""

        return Handler
