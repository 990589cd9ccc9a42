"""The async engine, the session factory and the request-scoped session."""

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from ..errors.problems import DatabaseUnavailableError
from ..settings.config import DatabaseSettings
from .liveness import check_connections_on_checkout

# Execution option read by the SQLite BEGIN hook: "" (deferred) or "IMMEDIATE".
SQLITE_BEGIN_MODE = "sqlite_begin_mode"
# Requests with these methods only read (RFC 9110); the rest get a writing transaction.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# PostgreSQL SQLSTATE classes that say "not now" rather than "not like this":
# 08 connection exception, 53 insufficient resources (too many connections),
# 57 operator intervention (shutdown, restart, a statement_timeout cancel).
_POSTGRES_UNAVAILABLE_CLASSES = ("08", "53", "57")
# SQLite primary result codes of the same kind: busy, locked, an I/O error, a
# full disk, a file it cannot open or write.
_SQLITE_UNAVAILABLE_CODES = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_READONLY,
    }
)


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` means the database cannot serve now, not that the request is wrong.

    Refused or lost connections (`OSError`, the driver's interface errors), every
    timeout (connect, statement, pool checkout, the request deadline), and the
    driver errors whose code says so. A constraint violation or a bad statement
    is not: it stays the 4xx or 500 it is.
    """
    if isinstance(error, OSError | TimeoutError | PoolTimeoutError | InterfaceError):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    sqlite_code: int | None = getattr(error.orig, "sqlite_errorcode", None)
    if sqlite_code is not None:
        # Extended codes (SQLITE_BUSY_SNAPSHOT...) carry the primary one in the low byte.
        return sqlite_code & 0xFF in _SQLITE_UNAVAILABLE_CODES
    sqlstate: str | None = getattr(error.orig, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(_POSTGRES_UNAVAILABLE_CLASSES)
    return isinstance(error, OperationalError)


def create_engine(
    settings: DatabaseSettings, *, statement_timeout: float | None = None
) -> AsyncEngine:
    """Build the engine; nothing connects until the first query.

    `statement_timeout` bounds every PostgreSQL statement; the service passes its
    setting, migrations and commands (which may rightly run long) pass none.
    """
    if settings.is_sqlite:
        return _create_sqlite_engine(settings)
    connect_args: dict[str, Any] = {"timeout": settings.connect_timeout}
    if statement_timeout is not None:
        # The client stops waiting (asyncpg raises TimeoutError), even when a
        # partition swallows the server's answer; the server cancels the
        # statement too, so an abandoned query does not hold locks on.
        connect_args["command_timeout"] = statement_timeout
        connect_args["server_settings"] = {
            "statement_timeout": str(max(1, round(statement_timeout * 1000)))
        }
    engine = create_async_engine(
        settings.async_url,
        echo=settings.echo,
        # A failed statement's message otherwise carries its parameters (an
        # email, a password hash) into logs, traces and `echo`.
        hide_parameters=True,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout,
        pool_recycle=settings.pool_recycle,
        connect_args=connect_args,
    )
    # Not `pool_pre_ping`: three round trips before every request (see liveness.py).
    # Bounded by the statement timeout: a ping into a partition fails instead of hanging.
    check_connections_on_checkout(
        engine, ping_after=settings.pool_ping_after, timeout=settings.statement_timeout
    )
    return engine


def _create_sqlite_engine(settings: DatabaseSettings) -> AsyncEngine:
    url = settings.async_url
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        echo=settings.echo,
        hide_parameters=True,
        # The sqlite3 busy timeout: how long a statement waits for another's lock.
        connect_args={"timeout": settings.connect_timeout},
    )
    # The sqlite3 driver opens transactions lazily and never for DDL, which breaks
    # SAVEPOINT and transactional migrations. Hand transaction control to
    # SQLAlchemy, as its SQLite documentation recommends, and enforce foreign keys.
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Write-ahead logging: readers never wait for the writer nor it for them
        # (the default rollback journal locks the whole file for either).
        # Persistent in the file; a no-op once set, and ignored in memory.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_MODE, "")
        connection.exec_driver_sql(f"BEGIN {mode}".rstrip())

    return engine


class Database:
    """Owns the engine and session factory for the lifetime of the application."""

    def __init__(self, settings: DatabaseSettings) -> None:
        self.engine = create_engine(settings, statement_timeout=settings.statement_timeout)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)
        self.request_timeout = settings.request_timeout
        self._is_sqlite = settings.is_sqlite
        self._ping_timeout = settings.ready_timeout
        self._statement_timeout = settings.statement_timeout

    async def begin_writing(self, session: AsyncSession) -> None:
        """Start `session`'s transaction as one that will write.

        SQLite: two deferred transactions that both read, then write, deadlock,
        and one fails with "database is locked" at once. A writing transaction
        takes the write lock up front instead (`BEGIN IMMEDIATE`) and waits its
        turn, up to the connect timeout. Reading transactions stay deferred and,
        with write-ahead logging, never wait. PostgreSQL needs neither.
        """
        if self._is_sqlite:
            await session.connection(execution_options={SQLITE_BEGIN_MODE: "IMMEDIATE"})

    @asynccontextmanager
    async def writing_session(self) -> AsyncIterator[AsyncSession]:
        """A session outside any request whose transaction writes; committed at the end.

        For work that is not a request's own (the command line, tasks after the
        response). An error in the block rolls everything back.
        """
        async with self.sessionmaker() as session:
            await self.begin_writing(session)
            yield session
            await session.commit()

    async def discard(self, session: AsyncSession, *, unavailable: bool) -> None:
        """End a failed request's session without writing anything, in bounded time.

        A healthy connection rolls back and returns to the pool. One that failed,
        or whose rollback does not answer within the statement timeout, is
        dropped instead: the server rolls back a transaction whose connection
        ends, and the pool opens a fresh connection for the next request.
        """
        if not unavailable:
            try:
                async with asyncio.timeout(self._statement_timeout):
                    await session.close()
            except (TimeoutError, OSError, SQLAlchemyError):
                pass
            else:
                return
        await session.invalidate()

    async def ping(self) -> None:
        """Run `SELECT 1` within the readiness budget.

        Raises `TimeoutError`, `OSError` or `SQLAlchemyError` when the database
        cannot answer in time.
        """
        async with asyncio.timeout(self._ping_timeout), self.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        """Close every pooled connection; abandon them if the database does not answer."""
        try:
            async with asyncio.timeout(self._statement_timeout):
                await self.engine.dispose()
        except (TimeoutError, OSError, SQLAlchemyError):
            # Shutting down into a partition: the process exit closes the sockets.
            await self.engine.dispose(close=False)


async def get_database(request: Request) -> Database:
    """The `Database` that the lifespan stored on the application."""
    # `async def` although it awaits nothing, like every dependency here: FastAPI
    # runs a plain `def` dependency in the thread pool, two thread hand-offs per
    # request for a function that takes a microsecond.
    database: Database = request.app.state.database
    return database


async def get_session(
    request: Request, database: Annotated[Database, Depends(get_database)]
) -> AsyncIterator[AsyncSession]:
    """One session per request: committed on success, rolled back on any error.

    Services only `flush()`; the commit here is the single place a request's
    work becomes durable, so a failed request never leaves half its writes.
    The request deadline runs from checkout to commit: when it passes, the
    request is cancelled wherever it waits. Every form of "the database cannot
    serve now" becomes one `DatabaseUnavailableError`, answered 503.
    """
    session = database.sessionmaker()
    try:
        async with asyncio.timeout(database.request_timeout):
            if request.method not in SAFE_METHODS:
                await database.begin_writing(session)
            yield session
            await session.commit()
            await session.close()
    except BaseException as error:
        unavailable = is_unavailable(error)
        await database.discard(session, unavailable=unavailable)
        if unavailable:
            raise DatabaseUnavailableError from error
        raise


DatabaseDep = Annotated[Database, Depends(get_database)]
# scope="function" commits when the endpoint returns, before the response is sent:
# a failed commit becomes an error response instead of a 2xx for lost work.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
