"""The database: an asyncpg pool for all application code (requests, jobs, tools), an
SQLAlchemy engine for the admin's list views, the per-request unit of work, and what an
outage is.

Application code runs the plain SQL of each domain's ``repository.py`` on asyncpg
(prepared and cached per connection by asyncpg), returning plain records: a statement
costs what its SQL costs. The ORM models stay the schema's source (Alembic) and serve the
admin's list views.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import uuid
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any, Protocol

import asyncpg
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url

from srochno.errors import AppError, DatabaseUnavailable, ServiceBusy

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5.0
COMMAND_TIMEOUT_SECONDS = 10.0
CLOSE_TIMEOUT_SECONDS = 10.0
APPLICATION_NAME = "srochno"
# SQLSTATE classes of a lost or refused connection: 08 connection exception, 57 operator
# intervention (shutdown, cancelled by the admin), 53 insufficient resources (too many
# connections, out of memory or disk).
OUTAGE_SQLSTATE_CLASSES = frozenset({"08", "57", "53"})

POOLER_TRANSACTION = "transaction"
"""``DATABASE_POOLER``: the URL is a PgBouncer in transaction mode that keeps no prepared
statements across transactions (PgBouncer before 1.21, or without
``max_prepared_statements``)."""
REPLICA_CHECK_SECONDS = 1.0
"""How often each replica's lag is measured (a down replica is found at the latest then,
and a recovered one is used again)."""
REPLICA_LAG = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN EXISTS (SELECT FROM pg_stat_wal_receiver)
         AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END::float8
"""
"""Seconds a standby is behind: none while it streams and has replayed all it received;
else the age of the last transaction it replayed (a standby cut off from its primary
ages however quiet the primary is)."""

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


def asyncpg_options(pooler: str | None) -> dict[str, Any]:
    """asyncpg's connection options for a URL behind ``pooler``: behind a transaction
    pooler that drops prepared statements between transactions, no statement cache (each
    statement is then parsed, bound and run in one round trip, unnamed)."""
    if pooler == POOLER_TRANSACTION:
        return {"statement_cache_size": 0}
    return {}


def _unique_statement_name() -> str:
    return f"__srochno_{uuid.uuid4().hex}__"


def create_engine(
    url: str,
    *,
    pool_size: int = 10,
    command_timeout: float = COMMAND_TIMEOUT_SECONDS,
    wait_seconds: float = CONNECT_TIMEOUT_SECONDS,
    pooler: str | None = None,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
) -> AsyncEngine:
    """An SQLAlchemy engine (background jobs, tools) with up to ``2 × pool_size``
    connections, all kept open once made: an "overflow" above a smaller kept set would be
    closed and reopened under any bursty load.

    SQLAlchemy prepares each statement under a name; behind a transaction pooler the name is
    unique and nothing is cached, so a statement prepared in one transaction never meets a
    server connection that knows (or lacks) it."""
    from sqlalchemy.ext.asyncio import create_async_engine  # only where an engine is made

    connect_args: dict[str, Any] = {}
    if pooler == POOLER_TRANSACTION:
        connect_args = {
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": _unique_statement_name,
        }
    return create_async_engine(
        async_url(url),
        pool_size=2 * pool_size,
        max_overflow=0,
        pool_timeout=wait_seconds,
        pool_recycle=1800,
        connect_args={
            "timeout": connect_timeout,
            # A stalled database (a partition, a stuck lock) fails the request with 503
            # after this long instead of holding it.
            "command_timeout": command_timeout,
            "server_settings": {"application_name": APPLICATION_NAME},
            **connect_args,
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

    def __init__(
        self,
        pool: asyncpg.Pool,
        wait_seconds: float = CONNECT_TIMEOUT_SECONDS,
        replicas: Replicas | None = None,
    ) -> None:
        self.pool = pool
        self.wait_seconds = wait_seconds
        """How long a request waits for a connection when all are in use."""
        self.replicas = replicas
        """The read replicas of public reads (None without ``DATABASE_REPLICA_URLS``)."""

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        pool_size: int = 10,
        command_timeout: float = COMMAND_TIMEOUT_SECONDS,
        wait_seconds: float = CONNECT_TIMEOUT_SECONDS,
        pooler: str | None = None,
        replica_urls: list[str] | None = None,
        replica_max_lag_seconds: float = 5.0,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    ) -> Database:
        pool = await open_pool(url, pool_size, command_timeout, pooler, connect_timeout)
        replicas = None
        if replica_urls:
            pools = [
                await open_pool(replica, pool_size, command_timeout, pooler, connect_timeout)
                for replica in replica_urls
            ]
            replicas = Replicas(pools, replica_max_lag_seconds)
            replicas.start()
        return cls(pool, wait_seconds, replicas)

    async def close(self, within: float = CLOSE_TIMEOUT_SECONDS) -> None:
        """Close every connection, waiting at most ``within`` seconds for those in use to come
        back (a stop must not wait for ever), then cutting them."""
        if self.replicas is not None:
            await self.replicas.close()
        try:
            await asyncio.wait_for(self.pool.close(), within)
        except Exception:
            self.pool.terminate()

    async def acquire(self) -> Connection:
        """A connection of the pool: 503 ``service_busy`` when every one is in use and none
        comes free within ``wait_seconds``; 503 ``database_unavailable`` when one cannot
        be made."""
        if not self.pool._queue.empty():  # one is free (or may be made): no wait for others
            try:
                conn: Connection = await self.pool.acquire()
            except Exception as error:
                logger.warning("database unavailable: %s", type(error).__name__)
                raise DatabaseUnavailable() from error
            return conn
        try:  # every connection is in use: wait for one, bounded (a timer on this task:
            # asyncpg's own timeout would run the wait in a task of its own)
            async with asyncio.timeout(self.wait_seconds):
                conn = await self.pool.acquire()
        except TimeoutError as error:
            logger.warning("service busy: no free database connection in %.1f s", self.wait_seconds)
            raise ServiceBusy() from error
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


async def open_pool(
    url: str,
    pool_size: int,
    command_timeout: float,
    pooler: str | None,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
) -> asyncpg.Pool:
    pool: asyncpg.Pool = await asyncpg.create_pool(
        plain_url(url),
        min_size=0,  # connect on demand: a server that is down at start-up is no crash
        max_size=2 * pool_size,
        max_inactive_connection_lifetime=1800,
        timeout=connect_timeout,
        command_timeout=command_timeout,
        server_settings={"application_name": APPLICATION_NAME},
        **asyncpg_options(pooler),
    )
    return pool


class Replicas:
    """Hot standbys for public reads, each used while it answers and is no further behind
    than ``max_lag`` seconds (measured every :data:`REPLICA_CHECK_SECONDS`); a replica that
    fails is skipped until a measurement finds it well again. With none usable, readers use
    the primary."""

    def __init__(self, pools: list[asyncpg.Pool], max_lag: float) -> None:
        self.pools = pools
        self.max_lag = max_lag
        self.usable = [False] * len(pools)
        """Starts unknown, as unusable: the first measurement (at once) decides."""
        self.lags: list[float | None] = [None] * len(pools)
        self._turn = itertools.count()
        self._task: asyncio.Task[None] | None = None
        self.checked = asyncio.Event()
        """Set after each round of measurements (tests wait on it)."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._watch())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for pool in self.pools:
            with contextlib.suppress(Exception):
                await pool.close()

    async def check(self) -> None:
        """Measure every replica's lag once."""
        for index, pool in enumerate(self.pools):
            lag: float | None = None
            try:
                async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS):
                    async with pool.acquire() as conn:
                        lag = float(await conn.fetchval(REPLICA_LAG))
            except Exception as error:
                if self.usable[index]:
                    logger.warning("replica %d unavailable: %s", index, type(error).__name__)
            usable = lag is not None and lag <= self.max_lag
            if usable != self.usable[index] and lag is not None:
                state = "usable" if usable else "lags"
                logger.warning("replica %d %s (lag %.1f s)", index, state, lag)
            self.lags[index] = lag
            self.usable[index] = usable
        self.checked.set()
        self.checked = asyncio.Event()

    async def _watch(self) -> None:
        while True:
            await self.check()
            await asyncio.sleep(REPLICA_CHECK_SECONDS)

    async def acquire(self) -> tuple[asyncpg.Pool, Connection] | None:
        """A connection to a usable replica (in turns), or None when there is none."""
        count = len(self.pools)
        start = next(self._turn)
        for step in range(count):
            index = (start + step) % count
            if not self.usable[index]:
                continue
            pool = self.pools[index]
            try:
                conn: Connection = await pool.acquire(timeout=CONNECT_TIMEOUT_SECONDS)
            except Exception as error:
                logger.warning("replica %d unavailable: %s", index, type(error).__name__)
                self.usable[index] = False
                continue
            return pool, conn
        return None


class ConnectionGuard(Protocol):
    async def on_connection(self, conn: Connection) -> None: ...


class UnitOfWork:
    """One request's use of the database: a connection taken on first use, a transaction
    begun on first write use, committed or rolled back once when the request ends.

    Reads run on the connection outside any transaction (each statement on its own); a
    route that writes asks for the transaction, and everything it does then commits
    together, before its response is sent, or not at all.
    """

    __slots__ = ("_conn", "_db", "_replica", "_transaction", "guard")

    def __init__(self, db: Database, guard: ConnectionGuard | None = None) -> None:
        self._db = db
        self._conn: Any = None
        self._replica: tuple[asyncpg.Pool, Connection] | None = None
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

    async def public_connection(self) -> Connection:
        """A connection for public reads (what anybody may see, a little behind): a usable
        read replica's, else the primary's. Once the request has written, the primary's
        (its writes are to be seen). The rate limits are counted on the primary first."""
        if self._replica is not None:
            return self._replica[1]
        replicas = self._db.replicas
        if replicas is None or self._transaction is not None:
            return await self.connection()
        if self.guard is not None:
            await self.connection()
        self._replica = await replicas.acquire()
        if self._replica is None:
            return await self.connection()
        return self._replica[1]

    @property
    def on_replica(self) -> bool:
        """Public reads of this request go to a replica."""
        return self._replica is not None

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
        if self._replica is not None:
            pool, replica = self._replica
            self._replica = None
            if error is not None and is_outage(error):
                replica.terminate()
            with contextlib.suppress(Exception):  # a broken connection is dropped by the pool
                await pool.release(replica)
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


def unavailable(error: BaseException) -> AppError | None:
    """The 503 an error of the database's means (``service_busy`` when no connection of a
    pool came free in time, ``database_unavailable`` when it cannot be reached), or None
    for any other error. The one rule, wherever a request fails."""
    if isinstance(error, ServiceBusy):
        return error
    if isinstance(error, sa_exc.TimeoutError):  # the admin's list views: their pool is full
        return ServiceBusy()
    if is_outage(error):
        return DatabaseUnavailable()
    return None


def is_outage(error: BaseException) -> bool:
    """True when ``error`` means the database cannot be reached (not a bug in a query)."""
    if isinstance(error, (DatabaseUnavailable, ServiceBusy)):
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
