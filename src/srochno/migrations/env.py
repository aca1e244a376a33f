"""Alembic environment: async engine, one transaction, serialised by an advisory lock."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import text
from sqlalchemy.dialects.postgresql.base import ischema_names
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from srochno.db import async_url
from srochno.models import Base
from srochno.models.notifications import Box

# Any fixed 64-bit number: all instances migrating one database queue on it.
MIGRATION_LOCK_ID = 0x5370_6F63_686E_6F01

ischema_names.setdefault("box", Box)  # reflected as the model declares it, not as unknown

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("database_url") or config.get_main_option("sqlalchemy.url")
    if not url:
        from srochno.config import load_settings
        from srochno.embedded import database_url

        url = database_url(load_settings())
    return async_url(str(url))


RENAMED_REVISIONS = {"0005_notify": "0006_notify", "0005_live": "0007_live"}
"""Revisions renumbered after release (three shared the number 0005): a database stamped
with an old id is restamped with its new one before anything runs, so it upgrades cleanly
(nothing runs twice)."""

QUEUE_PREFIX = "pgqueuer"
"""The job queue's own tables and indexes (created from pgqueuer's install SQL)."""


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Autogenerate compares our models only: the job queue's objects are the library's."""
    if type_ == "table" and name is not None and name.startswith(QUEUE_PREFIX):
        return False
    table = getattr(obj, "table", None)
    table_name = getattr(table, "name", None)
    return not (isinstance(table_name, str) and table_name.startswith(QUEUE_PREFIX))


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        compare_server_default=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        restamp_renamed(connection)
        context.run_migrations()


def restamp_renamed(connection: Connection) -> None:
    """Old revision ids in ``alembic_version`` replaced by their new ones (under the lock,
    in the migrations' transaction, before Alembic reads the version)."""
    if connection.execute(text("SELECT to_regclass('alembic_version')")).scalar() is None:
        return
    for old, new in RENAMED_REVISIONS.items():
        connection.execute(
            text("UPDATE alembic_version SET version_num = :new WHERE version_num = :old"),
            {"old": old, "new": new},
        )


async def _run_online() -> None:
    engine = create_async_engine(_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run)
    finally:
        await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
