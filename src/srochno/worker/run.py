"""The worker: pgqueuer's consumers of the queued jobs, and the periodic ticker.

``srochno worker`` runs :func:`run_worker`; ``srochno serve`` runs one in-process
(:func:`run_elected_worker`): every server process competes for a PostgreSQL advisory
lock and only its holder runs the worker, so ``--workers N`` still runs one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import asyncpg
from aiogram import Bot
from pgqueuer import QueueManager
from pgqueuer.db import AsyncpgPoolDriver
from pgqueuer.errors import RetryRequested
from pgqueuer.executors import EntrypointExecutor, EntrypointExecutorParameters
from pgqueuer.models import Context, Job
from pgqueuer.queries import Queries

from srochno.config import Settings
from srochno.db import APPLICATION_NAME, Database, is_outage, plain_url
from srochno.enums import Channel
from srochno.jobs import DIGEST, ORDER_CREATED, SEND, Delivery, decode
from srochno.notifications import email, fanout, push, sender
from srochno.shutdown import grace_seconds
from srochno.telegram.client import create_bot
from srochno.worker.heartbeat import Heartbeat, beat_forever, record_stop
from srochno.worker.ticker import Ticker

logger = logging.getLogger(__name__)

MAX_BATCH_SIZE = 10
JOB_POOL_SIZE = 5
DEQUEUE_TIMEOUT = timedelta(seconds=5)
"""Without a NOTIFY (a lost listener), the queue is looked at this often anyway."""
HEARTBEAT_TIMEOUT = timedelta(seconds=30)
"""A job whose worker stopped beating this long is handed to another worker."""
WORKER_LOCK_ID = 0x5370_6F63_686E_6F02
ELECTION_RETRY_SECONDS = 10.0
CLOSE_STEP_SECONDS = 0.5
"""Each step of closing down after the jobs in hand (the last beat, the bot, the pools)."""


OUTAGE_RETRY_MAX_SECONDS = 60


@dataclass
class RetryingExecutor(EntrypointExecutor):
    """Runs a job; a failure is retried by the queue (``RetryRequested``: back-off in the
    database). A database outage is retried whatever the attempts (it is nobody's fault and
    loses nothing); another error up to ``max_attempts``, then pgqueuer logs and drops it.
    A message's own Telegram retries are the sender's (:mod:`srochno.notifications.sender`).
    """

    max_attempts: int = 5

    async def execute(self, job: Job, context: Context) -> None:
        try:
            await super().execute(job, context)
        except RetryRequested:
            raise
        except Exception as error:
            delay = timedelta(seconds=min(OUTAGE_RETRY_MAX_SECONDS, 2 ** min(job.attempts, 6)))
            if is_outage(error):
                logger.warning(
                    "job %s/%s: database unavailable, retried in %s",
                    job.entrypoint,
                    job.id,
                    delay,
                )
                raise RetryRequested(delay=delay, reason="database unavailable") from error
            if job.attempts + 1 >= self.max_attempts:
                raise
            logger.warning(
                "job %s/%s failed, retried in %s", job.entrypoint, job.id, delay, exc_info=True
            )
            raise RetryRequested(delay=delay, reason=type(error).__name__) from error


class OutageWithoutTrace(logging.Filter):
    """The queue library's and the pool's complaints about a database outage, as one
    warning line without a traceback (the service logs outages that way everywhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None and is_outage(record.exc_info[1]):
            error = record.exc_info[1]
            record.msg = f"{record.getMessage()}: database unavailable ({type(error).__name__})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def quiet_outages() -> None:
    for name in ("pgqueuer", "asyncpg.pool"):
        target = logging.getLogger(name)
        if not any(isinstance(f, OutageWithoutTrace) for f in target.filters):
            target.addFilter(OutageWithoutTrace())


def build_queue_manager(
    pool: asyncpg.Pool, db: Database, bot: Bot | None, settings: Settings
) -> QueueManager:
    qm = QueueManager(Queries(AsyncpgPoolDriver(pool)))

    def retrying(parameters: EntrypointExecutorParameters) -> RetryingExecutor:
        return RetryingExecutor(parameters=parameters, max_attempts=settings.notify_max_attempts)

    @qm.entrypoint(ORDER_CREATED, executor_factory=retrying)
    async def order_created(job: Job) -> None:
        async with db.connection() as conn:
            await fanout.fan_out_order(conn, decode(job.payload)["order_id"])

    @qm.entrypoint(DIGEST, executor_factory=retrying)
    async def digest(job: Job) -> None:
        period, now = fanout.period_from_payload(decode(job.payload))
        async with db.connection() as conn:
            await fanout.fan_out_digest(conn, period, now, settings)

    @qm.entrypoint(SEND, executor_factory=retrying)
    async def send(job: Job) -> None:
        delivery = Delivery.from_payload(decode(job.payload))
        if delivery.channel == Channel.email:
            await email.send(db, settings, delivery)
            return
        if delivery.channel == Channel.push:
            await push.send(db, settings, delivery)
            return
        if bot is None:
            logger.warning("notification not sent: no TELEGRAM_BOT_TOKEN")
            return
        await sender.send(db, bot, settings, delivery)

    return qm


async def run_worker(
    settings: Settings, url: str, *, periodic: bool = True, heartbeat: Heartbeat | None = None
) -> None:
    """Consume the queue (and tick, with ``periodic``) until cancelled; jobs in hand then
    get ``SHUTDOWN_SECONDS`` to finish. Beats (``worker_heartbeats``) all along."""
    quiet_outages()
    # Jobs hold a connection only for one short step at a time: a few serve many jobs.
    db = await Database.open(
        url,
        pool_size=JOB_POOL_SIZE,
        command_timeout=settings.db_command_timeout_seconds,
        pooler=settings.database_pooler,
        connect_timeout=settings.db_connect_timeout_seconds,
    )
    # The queue LISTENs on one of its connections: a session of its own, never a pooler's.
    pool = await asyncpg.create_pool(
        plain_url(settings.direct_url(url)),
        min_size=0,  # a database down at start-up is no crash
        max_size=4,
        server_settings={"application_name": f"{APPLICATION_NAME}-queue"},
    )
    bot = create_bot(settings)
    qm = build_queue_manager(pool, db, bot, settings)
    # pgqueuer wants room for two batches in hand.
    batch_size = max(1, min(MAX_BATCH_SIZE, settings.notify_concurrency // 2))
    tasks: list[asyncio.Task[Any]] = [
        asyncio.create_task(
            qm.run(
                dequeue_timeout=DEQUEUE_TIMEOUT,
                batch_size=batch_size,
                max_concurrent_tasks=max(settings.notify_concurrency, 2 * batch_size),
                heartbeat_timeout=HEARTBEAT_TIMEOUT,
            )
        )
    ]
    if periodic and settings.auto_close_interval_seconds > 0:
        ticker = Ticker(db, settings)
        tasks.append(asyncio.create_task(ticker.run_forever()))
    heartbeat = heartbeat or Heartbeat(settings.worker_heartbeat_seconds)
    tasks.append(asyncio.create_task(beat_forever(db, heartbeat)))
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()  # a consumer that died is an error of the worker
    finally:
        # No new job; those in hand finish within the grace, the rest is closing down.
        qm.shutdown.set()
        for task in tasks[1:]:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(
                asyncio.gather(*tasks, return_exceptions=True),
                grace_seconds(settings.shutdown_seconds),
            )
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await asyncio.wait_for(record_stop(db), CLOSE_STEP_SECONDS)
        if bot is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(bot.session.close(), CLOSE_STEP_SECONDS)
        try:
            await asyncio.wait_for(pool.close(), CLOSE_STEP_SECONDS)
        except (asyncio.CancelledError, Exception):
            pool.terminate()
        await db.close(within=CLOSE_STEP_SECONDS)


async def run_elected_worker(
    settings: Settings, url: str, heartbeat: Heartbeat | None = None
) -> None:
    """Run the worker while this process holds the in-process worker's advisory lock."""
    while True:
        conn: Any = None
        worker: asyncio.Task[None] | None = None
        try:
            # A session advisory lock: on a connection of its own, never a pooler's.
            conn = await asyncpg.connect(plain_url(settings.direct_url(url)), timeout=5)
            if await conn.fetchval("SELECT pg_try_advisory_lock($1)", WORKER_LOCK_ID):
                logger.info("in-process worker started")
                worker = asyncio.create_task(run_worker(settings, url, heartbeat=heartbeat))
                while not worker.done():  # the lock lives as long as its connection
                    await asyncio.wait({worker}, timeout=ELECTION_RETRY_SECONDS)
                    await conn.fetchval("SELECT 1")
                worker.result()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            logger.warning("in-process worker stopped: %s", type(error).__name__)
        finally:
            if worker is not None and not worker.done():
                worker.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await worker
            if conn is not None:
                with contextlib.suppress(Exception):
                    await conn.close()
        await asyncio.sleep(ELECTION_RETRY_SECONDS)
