"""The database: an asyncpg pool for all application code (requests, jobs, tools), an
SQLAlchemy engine for the admin's list views, the per-request unit of work, and what an
outage is.

Application code runs the plain SQL of each domain's ``repository.py`` on asyncpg
(prepared and cached per connection by asyncpg), returning plain records: a statement
costs what its SQL costs. The ORM models stay the schema's source (Alembic) and serve the
admin's list views.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from srochno.errors import DatabaseUnavailable

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5.0
COMMAND_TIMEOUT_SECONDS = 10.0
APPLICATION_NAME = "srochno"
# SQLSTATE classes of a lost or refused connection: 08 connection exception, 57 operator
# intervention (shutdown, cancelled by the admin), 53 insufficient resources (too many
# connections, out of memory or disk).
OUTAGE_SQLSTATE_CLASSES = frozenset({"08", "57", "53"})

Record = Mapping[str, Any]
"""A row as asyncpg returns it: read by column name."""


class Connection(Protocol):
    """The part of :class:`asyncpg.Connection` the repositories use."""

    async def fetch(self, query: str, *args: object) -> list[Record]: ...
    async def fetchrow(self, query: str, *args: object) -> Record | None: ...
    async def fetchval(self, query: str, *args: object) -> Any: ...
    async def execute(self, query: str, *args: object) -> str: ...
    def transaction(self) -> AbstractAsyncContextManager[Any]: ...
    def terminate(self) -> None: ...


def async_url(url: str) -> str:
    """Any PostgreSQL URL (``postgres://``, ``postgresql://``, ``postgresql+psycopg://``)
    as the asyncpg flavour SQLAlchemy needs."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgres"):
        raise ValueError(f"DATABASE_URL must be a PostgreSQL URL, got {parsed.drivername!r}")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def plain_url(url: str) -> str:
    """The libpq form of a URL (for tools and for asyncpg used directly)."""
    return (
        make_url(async_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def create_engine(
    url: str, *, pool_size: int = 10, command_timeout: float = COMMAND_TIMEOUT_SECONDS
) -> AsyncEngine:
    """An SQLAlchemy engine (background jobs, tools) with up to ``2 × pool_size``
    connections, all kept open once made: an "overflow" above a smaller kept set would be
    closed and reopened under any bursty load."""
    return create_async_engine(
        async_url(url),
        pool_size=2 * pool_size,
        max_overflow=0,
        pool_timeout=CONNECT_TIMEOUT_SECONDS,
        pool_recycle=1800,
        connect_args={
            "timeout": CONNECT_TIMEOUT_SECONDS,
            # A stalled database (a partition, a stuck lock) fails the request with 503
            # after this long instead of holding it.
            "command_timeout": command_timeout,
            "server_settings": {"application_name": APPLICATION_NAME},
        },
    )


class Database:
    """The asyncpg pool of the request paths.

    Whatever goes wrong while a connection is obtained — refused, unreachable, the
    database dropped or switched off for maintenance, the role locked out, the pool
    exhausted — is an outage (503 ``database_unavailable``), whatever the server said:
    nothing of the request has run yet. The pool replaces broken connections by itself, so
    the service recovers without a restart when the database is back.
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(
        cls, url: str, *, pool_size: int = 10, command_timeout: float = COMMAND_TIMEOUT_SECONDS
    ) -> Database:
        pool = await asyncpg.create_pool(
            plain_url(url),
            min_size=0,  # connect on demand: a server that is down at start-up is no crash
            max_size=2 * pool_size,
            max_inactive_connection_lifetime=1800,
            timeout=CONNECT_TIMEOUT_SECONDS,
            command_timeout=command_timeout,
            server_settings={"application_name": APPLICATION_NAME},
        )
        return cls(pool)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.pool.close()

    async def acquire(self) -> Connection:
        try:
            if not self.pool._queue.empty():  # one is free: no wait, so no timer task either
                conn: Connection = await self.pool.acquire()
            else:  # a new connection, or a wait for one: bounded (a stalled database)
                conn = await self.pool.acquire(timeout=CONNECT_TIMEOUT_SECONDS)
        except Exception as error:
            logger.warning("database unavailable: %s", type(error).__name__)
            raise DatabaseUnavailable() from error
        return conn

    async def release(self, conn: Connection) -> None:
        try:
            await self.pool.release(conn)
        except Exception as error:  # a broken connection is dropped by the pool
            logger.warning("connection released broken: %s", type(error).__name__)

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        """A connection for statements that each commit on their own (reads)."""
        conn = await self.acquire()
        try:
            yield conn
        finally:
            await self.release(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        """A connection in a transaction: committed on success, rolled back on error."""
        async with self.connection() as conn, conn.transaction():
            yield conn


class ConnectionGuard(Protocol):
    async def on_connection(self, conn: Connection) -> None: ...


class UnitOfWork:
    """One request's use of the database: a connection taken on first use, a transaction
    begun on first write use, committed or rolled back once when the request ends.

    Reads run on the connection outside any transaction (each statement on its own); a
    route that writes asks for the transaction, and everything it does then commits
    together, before its response is sent, or not at all.
    """

    __slots__ = ("_conn", "_db", "_transaction", "guard")

    def __init__(self, db: Database, guard: ConnectionGuard | None = None) -> None:
        self._db = db
        self._conn: Any = None
        self._transaction: Any = None
        self.guard = guard
        """Runs its statement first on the connection once taken (the rate limits)."""

    async def connection(self) -> Connection:
        if self._conn is None:
            self._conn = await self._db.acquire()
            if self.guard is not None:
                await self.guard.on_connection(self._conn)
        conn: Connection = self._conn
        return conn

    async def transaction(self) -> Connection:
        conn = await self.connection()
        if self._transaction is None:
            self._transaction = conn.transaction()
            await self._transaction.start()
        return conn

    async def commit_and_release(self) -> None:
        """Commit what was done so far and give the connection back before a slow call
        elsewhere (a payment provider); the next use takes a connection again."""
        await self.finish(commit=True)

    async def finish(self, *, commit: bool, error: BaseException | None = None) -> None:
        """Commit (``commit``) or roll back the transaction, and give the connection back.

        After an outage (``error``) the connection is closed rather than rolled back: it
        may be half-way through a statement the server will never answer, and must not
        serve another request.
        """
        if self._conn is None:
            return
        conn, transaction = self._conn, self._transaction
        self._conn = self._transaction = None
        try:
            if error is not None and is_outage(error):
                conn.terminate()
            elif transaction is not None:
                if commit:
                    await transaction.commit()
                else:
                    await transaction.rollback()
        except BaseException:
            conn.terminate()
            raise
        finally:
            await self._db.release(conn)


def is_outage(error: BaseException) -> bool:
    """True when ``error`` means the database cannot be reached (not a bug in a query)."""
    if isinstance(error, DatabaseUnavailable):
        return True
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        orig = error.orig
        cause = getattr(orig, "__cause__", None)
        return any(is_outage(e) for e in (orig, cause) if isinstance(e, BaseException))
    if isinstance(error, sa_exc.TimeoutError):  # pool exhausted while the database stalls
        return True
    if isinstance(error, (asyncpg.InterfaceError, ConnectionError, TimeoutError, OSError)):
        return True
    sqlstate = getattr(error, "sqlstate", None)
    if isinstance(sqlstate, str) and sqlstate[:2] in OUTAGE_SQLSTATE_CLASSES:
        return True
    return type(error).__name__ in {
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "InterfaceError",
        "ConnectionFailureError",
        "InternalClientError",
    }
