"""Workers say they are alive: each worker process (``srochno worker``, or the worker a
server process runs in-process) renews its row in ``worker_heartbeats`` every
``WORKER_HEARTBEAT_SECONDS``; ``/metrics`` exposes the rows, and the process's own
``/health/ready`` looks at its in-process worker's last beat."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from dataclasses import dataclass, field
from datetime import timedelta

from srochno import clock
from srochno.db import Connection, Database, Record

logger = logging.getLogger(__name__)

MISSED_BEATS = 3
"""A worker silent for this many intervals counts as dead."""
FORGET_AFTER = timedelta(days=1)
"""Rows of workers gone this long are deleted."""

BEAT = """
INSERT INTO worker_heartbeats (worker, host, pid, started_at, beat_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (worker) DO UPDATE SET beat_at = EXCLUDED.beat_at, stopped_at = NULL
"""
STOPPED = "UPDATE worker_heartbeats SET stopped_at = $2 WHERE worker = $1"
FORGET = "DELETE FROM worker_heartbeats WHERE beat_at < $1"
RECENT = """
SELECT worker, beat_at FROM worker_heartbeats
WHERE stopped_at IS NULL AND beat_at > $1 ORDER BY worker
"""


def worker_name() -> str:
    return f"{socket.gethostname()[:48]}:{os.getpid()}"


@dataclass
class Heartbeat:
    """This process's worker, as its own readiness check sees it."""

    interval: float
    running: bool = False
    last: float | None = field(default=None)
    """``time.monotonic()`` of the last beat recorded."""

    def alive(self) -> bool:
        if self.last is None:
            return False
        return time.monotonic() - self.last <= MISSED_BEATS * self.interval


async def beat_forever(db: Database, heartbeat: Heartbeat) -> None:
    """Record a beat every interval until cancelled. A beat that fails (the database is
    down) is only logged: the worker goes on."""
    name, host, pid = worker_name(), socket.gethostname()[:64], os.getpid()
    started = clock.now()
    heartbeat.running = True
    heartbeat.last = time.monotonic()  # starting counts: the first beat may meet an outage
    try:
        while True:
            try:
                now = clock.now()
                async with db.connection() as conn:
                    await conn.execute(BEAT, name, host, pid, started, now)
                    await conn.execute(FORGET, now - FORGET_AFTER)
                heartbeat.last = time.monotonic()
            except Exception as error:
                logger.warning("worker heartbeat not recorded: %s", type(error).__name__)
            await asyncio.sleep(heartbeat.interval)
    finally:
        heartbeat.running = False


async def record_stop(db: Database) -> None:
    """Say this process's worker stopped (best effort: a worker that dies without saying so
    stops beating, which the metrics show as well). Called by the worker once its tasks
    are done, not by the beating task: a stop cancels that one, maybe twice."""
    try:
        async with asyncio.timeout(2), db.connection() as conn:
            await conn.execute(STOPPED, worker_name(), clock.now())
    except Exception as error:
        logger.info("worker stop not recorded: %s", type(error).__name__)


async def recent_beats(conn: Connection, interval: float) -> list[Record]:
    """Workers that beat within the last hour (or ten intervals) and did not stop."""
    horizon = max(3600.0, 10 * interval)
    return await conn.fetch(RECENT, clock.now() - timedelta(seconds=horizon))
