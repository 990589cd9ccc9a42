"""A TCP proxy in front of a real server that can break the network on demand.

`reset()` aborts every established connection with a TCP RST, as a restarted
Redis or a NAT gateway dropping its table would; `blackhole()` keeps accepting
and reading but never answers, as a dead host behind a firewall would, until
`restore()`.
"""

import contextlib
import socket
import struct
import threading
from types import TracebackType
from typing import Self

_CHUNK = 65_536


class FaultyProxy:
    """Forwards 127.0.0.1:<port> to `upstream`, one thread per direction."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self._upstream = upstream
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._blackholed = threading.Event()
        self._swallowed = 0
        self._closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.close()

    def reset(self) -> None:
        """Abort every open connection with an RST; new ones are forwarded again."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            # Linger on, timeout 0: close() sends RST instead of FIN.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            sock.close()

    def blackhole(self) -> None:
        """From now on, swallow every byte in both directions and answer nothing."""
        self._blackholed.set()

    @property
    def swallowed(self) -> int:
        """Bytes the black hole has taken in so far: what clients still sent to a dead host."""
        with self._lock:
            return self._swallowed

    def restore(self) -> None:
        """Forget the black hole's connections (RST) and forward new ones again."""
        self._blackholed.clear()
        self.reset()

    def close(self) -> None:
        """Stop listening and abort everything still open."""
        self._closed.set()
        self._listener.close()
        self.reset()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self._blackholed.is_set():
                self._track(client)
                threading.Thread(target=self._pump, args=(client, None), daemon=True).start()
                continue
            try:
                server = socket.create_connection(self._upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            self._track(client, server)
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _track(self, *sockets: socket.socket) -> None:
        with self._lock:
            self._sockets.extend(sockets)

    def _pump(self, source: socket.socket, target: socket.socket | None) -> None:
        try:
            while data := source.recv(_CHUNK):
                if target is None or self._blackholed.is_set():
                    with self._lock:
                        self._swallowed += len(data)
                else:
                    target.sendall(data)
        except OSError:
            pass  # the other side was reset or closed: this direction is over
        if target is not None:
            with contextlib.suppress(OSError):
                target.shutdown(socket.SHUT_WR)
