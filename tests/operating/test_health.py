"""Liveness, readiness, and the workers' heartbeats in the metrics."""

from __future__ import annotations

import asyncio
import contextlib
import time

from srochno.monitoring.heartbeat import Heartbeat, beat_forever, worker_name
from tests.monitoring.test_metrics import scrape


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
    metrics = await scrape(client)  # a stopped worker is no longer listed
    assert f'srochno_worker_heartbeat_timestamp_seconds{{worker="{worker_name()}"}}' not in metrics
