"""The migrations build the schema the models describe, and many instances may run them."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

from sqlalchemy import text

from srochno.db import create_engine
from srochno.embedded import drop_database, ensure_database
from srochno.migrations import check


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
