"""Keeping dead PostgreSQL connections out of requests without a ping per request.

SQLAlchemy's `pool_pre_ping` asks the server on every checkout; with asyncpg
that is three round trips (BEGIN, an empty query, ROLLBACK) before each
request's own BEGIN. Instead, on checkout:

- a connection the server has closed (a restart, a failover, `idle_session_timeout`,
  `pg_terminate_backend`) is known to be closed without asking: asyncpg saw the
  socket end. It is replaced, at no cost to the request;
- a connection idle for longer than `ping_after` seconds, which a NAT or a load
  balancer may have dropped silently, is asked once (`SELECT 1`, one round trip);
- any other connection, one that served a request moments ago, goes straight
  to the request. If the server vanished since without closing the socket, the
  request's first statement fails within the statement timeout, the request
  answers 503 and its connection is dropped. A reset is sooner: SQLAlchemy
  takes it for a disconnect and retires every connection of the pool at once.
"""

import asyncio
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.util import await_only

_LAST_USED = "last_used"


def check_connections_on_checkout(
    engine: AsyncEngine, *, ping_after: float, timeout: float
) -> None:
    """Install the checks above on `engine`'s pool (asyncpg only)."""

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, entry: ConnectionPoolEntry, _proxy: Any) -> None:
        driver = dbapi_connection.driver_connection
        if driver.is_closed():
            # The pool discards this connection and checks out another.
            raise DisconnectionError("closed by the server while idle")
        last_used: float | None = entry.info.get(_LAST_USED)
        if last_used is None or time.monotonic() - last_used <= ping_after:
            return
        try:
            # Runs in SQLAlchemy's greenlet, so the coroutine can be awaited here.
            # One simple-protocol query: one round trip, no transaction around it.
            await_only(asyncio.wait_for(driver.execute("SELECT 1"), timeout))
        # Whatever the driver raises (a timeout, a reset, a server error), this
        # connection is not one to hand to a request.
        except Exception as error:
            raise DisconnectionError("no answer after a long idle time") from error

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, entry: ConnectionPoolEntry) -> None:
        entry.info[_LAST_USED] = time.monotonic()
