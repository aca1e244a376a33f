"""Engine, the per-request unit of work, and how database outages are recognised."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from srochno.errors import AppError

CONNECT_TIMEOUT_SECONDS = 5.0
COMMAND_TIMEOUT_SECONDS = 10.0
# The server refuses a new connection (max_connections or a role/database limit reached).
TOO_MANY_CONNECTIONS = "53300"


class DatabaseUnavailable(AppError):
    status = 503
    code = "database_unavailable"
    message = "The database is unavailable, try again shortly"


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
    """An engine with up to ``2 × pool_size`` connections, all kept open once made.

    (An "overflow" above a smaller kept set would be closed whenever it is handed back
    while the kept set is idle, and reopened moments later under any bursty load: a new
    connection, its set-up queries and its statement cache, on the request's path.)
    """
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
            "server_settings": {"application_name": "srochno"},
        },
    )


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def create_read_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for requests that only read: every statement on its own, no BEGIN/COMMIT
    round trips. (The pool is shared with ``engine``.)"""
    return create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))


READ_ONLY_METHODS = frozenset({"GET", "HEAD"})


def is_outage(error: BaseException) -> bool:
    """True when ``error`` means the database cannot be reached (not a bug in a query)."""
    if isinstance(error, sa_exc.DBAPIError):
        if error.connection_invalidated:
            return True
        orig = error.orig
        name = type(orig).__name__ if orig is not None else ""
        cause = getattr(orig, "__cause__", None)
        if name in {"CannotConnectNowError", "ConnectionDoesNotExistError"} or isinstance(
            cause, (OSError, TimeoutError)
        ):
            return True
        sqlstate = getattr(orig, "sqlstate", None) or getattr(cause, "sqlstate", None)
        return isinstance(sqlstate, str) and (
            sqlstate[:2] in {"08", "57"} or sqlstate == TOO_MANY_CONNECTIONS
        )
    if isinstance(error, sa_exc.TimeoutError):  # pool exhausted while the database stalls
        return True
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return True
    return type(error).__name__ in {
        "CannotConnectNowError",
        "ConnectionDoesNotExistError",
        "InterfaceError",
        "ConnectionFailureError",
    }


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the endpoint returns, rolled back on error.

    The transaction begins with the first statement, and a read-only start may be ended
    early with ``session.rollback()`` (see ``sync_user``); the work after it is committed.
    GET and HEAD requests only read, so theirs run without a transaction around them.
    """
    maker: async_sessionmaker[AsyncSession] = (
        request.app.state.read_sessionmaker
        if request.method in READ_ONLY_METHODS
        else request.app.state.sessionmaker
    )
    async with maker() as session:
        yield session
        await session.commit()


DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]
