"""A TCP proxy in front of the database that fails on demand, the way networks do.

It forwards, refuses (no listener: connection refused), resets every established
connection (a database restart or a failover), or black-holes: accepts and keeps
connections but forwards nothing, as a network partition drops packets.
Runs its own event loop in a thread, so synchronous tests can drive it.
"""

import asyncio
import socket
import struct
import threading
from collections.abc import Coroutine
from typing import Any, Self, TypeVar

T = TypeVar("T")


class TcpProxy:
    """127.0.0.1:`port` forwarding to `target_host`:`target_port`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self._black_hole = False
        # Chunks the client sent on to the server: with PostgreSQL's protocol,
        # one per round trip the client starts (a query, a BEGIN, a ping).
        self.client_writes = 0
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        self.forward()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._run(self._shut_down())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _shut_down(self) -> None:
        await self._close_listener()
        await self._reset()
        tasks = asyncio.all_tasks() - {asyncio.current_task()}
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    def forward(self) -> None:
        """Listen (on the same port as before, if any) and pass bytes both ways."""
        self._black_hole = False
        self._run(self._listen())

    def refuse(self) -> None:
        """Stop listening: new connections are refused; established ones stay."""
        self._run(self._close_listener())

    def reset(self) -> None:
        """Abort every established connection with a TCP reset."""
        self._run(self._reset())

    def black_hole(self) -> None:
        """Keep accepting and keep every connection open, but forward nothing."""
        self._black_hole = True

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
            self.port = self._server.sockets[0].getsockname()[1]

    async def _close_listener(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    async def _reset(self) -> None:
        for writer in list(self._writers):
            sock = writer.get_extra_info("socket")
            if sock is not None:
                # Linger zero: close() sends RST instead of FIN.
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            writer.transport.abort()
        self._writers.clear()

    async def _accept(
        self, client_reader: asyncio.StreamReader, client: asyncio.StreamWriter
    ) -> None:
        self._writers.add(client)
        if self._black_hole:
            await self._swallow(client_reader)
            return
        try:
            server_reader, server = await asyncio.open_connection(*self.target)
        except OSError:
            client.transport.abort()
            return
        self._writers.add(server)
        await asyncio.gather(
            self._pipe(client_reader, server, from_client=True),
            self._pipe(server_reader, client, from_client=False),
        )

    async def _swallow(self, reader: asyncio.StreamReader) -> None:
        while await reader.read(65536):
            pass

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, *, from_client: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                if not self._black_hole:
                    self.client_writes += from_client
                    writer.write(data)
                    await writer.drain()
        except OSError:
            pass
        # One side ended: end the other, unless black-holed (a partition closes
        # nothing; `reset` or the exit does).
        if not self._black_hole:
            writer.transport.abort()
            self._writers.discard(writer)
