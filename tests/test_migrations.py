"""The migrations build the schema the models describe, and many instances may run them."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import uuid

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from srochno.db import create_engine
from srochno.embedded import drop_database, ensure_database
from srochno.errors import CONSTRAINT_ERRORS
from srochno.migrations import alembic_config, check, upgrade
from srochno.models import Base


async def test_models_and_migrations_agree(database_url):
    await asyncio.to_thread(check, database_url)  # raises when autogenerate finds a difference


async def test_instances_migrating_at_once_are_safe(server_url):
    """Four instances start together on a new database: the advisory lock serialises them."""
    name = f"srochno_migrate_{uuid.uuid4().hex[:8]}"
    url = await ensure_database(server_url, name)
    try:
        env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
        processes = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "srochno",
                "migrate",
                env=env,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            for _ in range(4)
        ]
        for process in processes:
            _, stderr = await process.communicate()
            assert process.returncode == 0, stderr.decode()
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.connect() as conn:
                version = (
                    await conn.execute(text("SELECT version_num FROM alembic_version"))
                ).all()
        finally:
            await engine.dispose()
        assert len(version) == 1
    finally:
        await drop_database(server_url, name)


@pytest.mark.parametrize(
    ("old", "reached", "runs"),
    [
        ("0005_notify", "0006_notify", ["0006_notify -> 0007_live"]),
        ("0005_live", "0007_live", []),
    ],
    ids=["0005_notify", "0005_live"],
)
async def test_a_database_stamped_with_an_old_revision_id_upgrades_cleanly(
    server_url, caplog, old, reached, runs
):
    """Three revisions once shared the number 0005: a database stamped with an old id is
    upgraded to the head without running again what it has (``runs`` up to 0007_live, then
    the revisions after it)."""
    script = ScriptDirectory.from_config(alembic_config("postgresql://"))
    later = [
        f"{rev.down_revision} -> {rev.revision}"
        for rev in reversed(list(script.walk_revisions("0007_live", "heads")))
        if rev.revision != "0007_live"
    ]
    runs = [*runs, *later]
    head = script.get_current_head()
    name = f"srochno_restamp_{uuid.uuid4().hex[:8]}"
    url = await ensure_database(server_url, name)
    engine = create_engine(url, pool_size=1)
    try:
        await asyncio.to_thread(command.upgrade, alembic_config(url), reached)
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = :old"), {"old": old})

        with caplog.at_level(logging.INFO, logger="alembic.runtime.migration"):
            await asyncio.to_thread(upgrade, url)
        ran = [
            r.getMessage().removeprefix("Running upgrade ").split(",")[0]
            for r in caplog.records
            if r.getMessage().startswith("Running upgrade")
        ]
        assert ran == runs

        async with engine.connect() as conn:
            versions = (await conn.execute(text("SELECT version_num FROM alembic_version"))).all()
            events = await conn.execute(text("SELECT to_regclass('order_events') IS NOT NULL"))
            assert events.scalar_one()
        assert [v[0] for v in versions] == [head]
    finally:
        await engine.dispose()
        await drop_database(server_url, name)


def test_every_constraint_an_error_is_registered_for_exists(app):
    """Each domain registers the unique constraints whose violation it answers; a renamed
    constraint would silently become a 500."""
    names = {
        constraint.name
        for table in Base.metadata.tables.values()
        for constraint in [*table.constraints, *table.indexes]
    }
    assert len(CONSTRAINT_ERRORS) >= 5
    assert set(CONSTRAINT_ERRORS) <= names
