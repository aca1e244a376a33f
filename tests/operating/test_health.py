"""Liveness, readiness, and the workers' heartbeats in the metrics."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import time

import asyncpg

from srochno.db import plain_url
from srochno.worker.heartbeat import Heartbeat, beat_forever, record_stop, worker_name
from tests.monitoring.test_metrics import scrape
from tests.servers import server_env


async def test_live_and_ready(client, app):
    assert (await client.get("/health/live")).json() == {"status": "alive"}
    ready = await client.get("/health/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "listener": "ok", "worker": "elsewhere"},
        "failing": [],
    }


async def test_ready_names_what_is_not_alive(client, app):
    hub = app.state.hub
    connection, hub.connection = hub.connection, None  # the listener lost its connection
    stale = Heartbeat(interval=1, running=True, last=time.monotonic() - 10)
    app.state.worker_heartbeat = stale  # the in-process worker stopped beating
    try:
        response = await client.get("/health/ready")
    finally:
        hub.connection = connection
        app.state.worker_heartbeat = None
    assert response.status_code == 503
    assert response.json()["failing"] == ["listener", "worker"]
    assert response.json()["checks"]["database"] == "ok"


async def test_a_worker_beats_and_the_metrics_show_it(client, app):
    heartbeat = Heartbeat(interval=0.2)
    app.state.worker_heartbeat = heartbeat
    task = asyncio.create_task(beat_forever(app.state.db, heartbeat))
    try:
        await asyncio.sleep(0.5)
        assert heartbeat.running
        assert heartbeat.alive()
        assert (await client.get("/health/ready")).json()["checks"]["worker"] == "ok"
        metrics = await scrape(client)
        beat = f'srochno_worker_heartbeat_timestamp_seconds{{worker="{worker_name()}"}}'
        assert time.time() - metrics[beat] < 5
        assert metrics["srochno_workers_alive"] >= 1
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        app.state.worker_heartbeat = None
    assert not heartbeat.running
    await record_stop(app.state.db)  # as the worker does once its tasks are done
    metrics = await scrape(client)  # a stopped worker is no longer listed
    assert f'srochno_worker_heartbeat_timestamp_seconds{{worker="{worker_name()}"}}' not in metrics


def test_a_worker_process_beats_and_stops_in_time(database_url, tmp_path):
    """``srochno worker``: its heartbeat row appears at start; on SIGTERM it says it stopped
    and exits within ``SHUTDOWN_SECONDS``."""
    env = server_env(
        database_url, {"WORKER_HEARTBEAT_SECONDS": "0.5", "LOG_LEVEL": "INFO"}, tmp_path
    )
    env["AUTO_CLOSE_INTERVAL_SECONDS"] = "1"
    worker = subprocess.Popen(
        [sys.executable, "-m", "srochno", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    name = f"%:{worker.pid}"
    try:
        deadline = time.monotonic() + 180  # a start-up: only a hung one should reach it
        while not beat_row(database_url, name):
            assert worker.poll() is None, worker.stdout.read().decode() if worker.stdout else ""
            assert time.monotonic() < deadline, "no heartbeat recorded"
            time.sleep(0.2)
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=30)
        stopped_in = time.monotonic() - started
    finally:
        if worker.poll() is None:
            worker.kill()
    output = worker.stdout.read().decode() if worker.stdout else ""
    print(f"srochno worker stopped in {stopped_in:.2f} s")
    assert stopped_in < 15, output
    [row] = beat_row(database_url, name)
    assert row[1] is not None  # stopped_at: it said so on the way out


def beat_row(database_url: str, name: str) -> list[tuple[object, object]]:
    async def read() -> list[tuple[object, object]]:
        conn = await asyncpg.connect(plain_url(database_url))
        try:
            rows = await conn.fetch(
                "SELECT beat_at, stopped_at FROM worker_heartbeats WHERE worker LIKE $1", name
            )
        finally:
            await conn.close()
        return [(r["beat_at"], r["stopped_at"]) for r in rows]

    return asyncio.run(read())
