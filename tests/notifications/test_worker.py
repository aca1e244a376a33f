"""Where the worker runs: one in-process worker over all ``srochno serve`` processes (none
with ``--no-worker``), and the clean-ups of the periodic work."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import text

from srochno import clock
from srochno.worker.cleanups import run_cleanups
from srochno.worker.run import WORKER_LOCK_ID
from tests.helpers import ORDER, auth
from tests.notifications.conftest import add_user, drained
from tests.servers import run_servers

WORKER_LOCKS = f"""
SELECT count(*) FROM pg_locks
WHERE locktype = 'advisory' AND granted
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND ((classid::bigint << 32) | objid::bigint) = {WORKER_LOCK_ID}
"""


async def locks(engine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text(WORKER_LOCKS))).scalar_one())


async def test_serve_runs_one_worker_over_its_processes(database_url, engine, bot_api):
    await add_user(engine, 1)
    env = {"TELEGRAM_API_URL": bot_api.url}
    with run_servers(database_url, 1, env=env, args=["--workers", "2"]) as servers:
        async with httpx.AsyncClient(base_url=servers.urls[0], trust_env=False) as client:
            response = await client.post("/api/orders", json=ORDER, headers=auth(100))
            assert response.status_code == 201, response.text
            await bot_api.until("sendMessage", 1, within=120)
            await drained(engine)
            assert await locks(engine) == 1
    assert [c.params["chat_id"] for c in bot_api.calls_of("sendMessage")] == [1]


async def test_serve_without_a_worker_leaves_the_jobs_queued(database_url, engine, bot_api):
    await add_user(engine, 1)
    env = {"TELEGRAM_API_URL": bot_api.url}
    with run_servers(database_url, 1, env=env, args=["--no-worker"]) as servers:
        async with httpx.AsyncClient(base_url=servers.urls[0], trust_env=False) as client:
            response = await client.post("/api/orders", json=ORDER, headers=auth(100))
            assert response.status_code == 201, response.text
            await asyncio.sleep(1.5)
            assert await locks(engine) == 0
    assert bot_api.calls_of("sendMessage") == []
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM pgqueuer"))).scalar_one() == 1


async def test_clean_ups_forget_old_rows_only(app, engine, settings):
    now = clock.now()
    old, recent = now - timedelta(days=31), now - timedelta(days=1)
    async with engine.begin() as conn:
        for n, at in enumerate((old, recent)):
            await conn.execute(
                text(
                    "INSERT INTO telegram_updates (update_id, kind, received_at) "
                    "VALUES (:id, 'message', :at)"
                ),
                {"id": n, "at": at},
            )
            await conn.execute(
                text("INSERT INTO notification_deliveries VALUES (:key, 1, 'sent', 1, :at, :at)"),
                {"key": f"event-{n}", "at": at},
            )
            await conn.execute(
                text(
                    "INSERT INTO pgqueuer_log (created, job_id, status, priority, entrypoint) "
                    "VALUES (:at, :id, 'successful', 0, 'send')"
                ),
                {"at": at, "id": n},
            )
            await conn.execute(
                text("INSERT INTO rate_limit_windows VALUES (:key, :start, 1)"),
                {"key": f"ip:192.0.2.{n}", "start": int((at if n == 0 else now).timestamp())},
            )
    deleted = await run_cleanups(app.state.db, settings, now)
    assert deleted["rate limit windows"] == 1
    assert deleted["bot inbox"] == 1
    assert deleted["notification deliveries"] == 1
    assert deleted["finished jobs' log"] == 1
    async with engine.connect() as conn:
        tables = ("telegram_updates", "notification_deliveries", "pgqueuer_log")
        for table in (*tables, "rate_limit_windows"):
            assert (await conn.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one() == 1
