"""The periodic work of ``srochno worker``: a ticker every ``AUTO_CLOSE_INTERVAL_SECONDS``.

pgqueuer's scheduler is cron (minute granularity); the interval may be one second, so the
worker ticks on its own. Each step is safe in any number of workers at once:

* auto-close: ``SKIP LOCKED`` batches (:mod:`srochno.lifecycle.job`), refund messages
  queued in the same transactions;
* reminders: one per order, claimed in ``notification_runs``;
* digests: one fan-out per period, claimed in ``notification_runs``, one message per
  (period, user) by the delivery key;
* clean-ups (:data:`CLEANUPS`), at most once an hour per worker, in small batches.
"""

from __future__ import annotations

import asyncio
import logging
import time as monotonic
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from srochno import clock
from srochno.config import Settings
from srochno.db import Database, is_outage
from srochno.enums import OPEN_STATUSES, sql_list
from srochno.lifecycle.job import close_due_orders
from srochno.notifications.events import deliver
from srochno.notifications.fanout import DIGEST_GRACE, PERIODS, current_period, schedule_digest
from srochno.notifications.sender import Delivery
from srochno.ratelimit import LONGEST_WINDOW_SECONDS

logger = logging.getLogger(__name__)

CLEANUP_EVERY_SECONDS = 3600.0
CLEANUP_BATCH = 5000

# --- reminders -------------------------------------------------------------------------

REMINDERS_DUE = f"""
WITH due AS (
    SELECT id, owner_id, category, first_taken_at FROM orders
    WHERE status IN ({sql_list(tuple(sorted(OPEN_STATUSES)))}) AND responded_at IS NULL
      AND first_taken_at IS NOT NULL AND first_taken_at > $1 AND first_taken_at <= $2
    ORDER BY first_taken_at
    LIMIT 1000
), claimed AS (
    INSERT INTO notification_runs (key, created_at)
    SELECT 'reminder:' || id, $3 FROM due
    ON CONFLICT DO NOTHING
    RETURNING key
)
SELECT due.* FROM due JOIN claimed ON claimed.key = 'reminder:' || due.id
"""


async def send_reminders(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """Remind each client whose takers are still unanswered ``REMINDER_BEFORE_CLOSE_MINUTES``
    before the no-response close (once per order)."""
    now = now or clock.now()
    timeout = settings.no_response_timeout
    deadline = now - timeout  # taken at or before: closing now, too late to remind
    remind_from = now - timeout + settings.reminder_before_close
    async with db.transaction() as conn:
        rows = await conn.fetch(REMINDERS_DUE, deadline, remind_from, now)
        await deliver(
            conn,
            [
                Delivery(
                    f"reminder:{row['id']}",
                    row["owner_id"],
                    "reminder",
                    {
                        "order_id": row["id"],
                        "category": row["category"],
                        "closes_at": (row["first_taken_at"] + timeout).isoformat(),
                    },
                )
                for row in rows
            ],
        )
    return len(rows)


# --- digests ---------------------------------------------------------------------------


async def schedule_digests(db: Database, settings: Settings, now: datetime | None = None) -> int:
    """Queue the digest of each period that has just begun (within its grace), once."""
    now = now or clock.now()
    queued = 0
    for frequency in PERIODS:
        period = current_period(frequency, now, settings)
        if now - period.starts_at > DIGEST_GRACE[frequency]:
            continue
        async with db.connection() as conn:
            queued += await schedule_digest(conn, period, now)
    return queued


# --- clean-ups -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cleanup:
    """Rows of ``table`` whose ``column`` is older than ``retention(settings)`` go."""

    name: str
    table: str
    column: str
    retention: Callable[[Settings], timedelta]

    @property
    def sql(self) -> str:
        return (
            f"DELETE FROM {self.table} WHERE ctid IN "
            f"(SELECT ctid FROM {self.table} WHERE {self.column} < $1 LIMIT $2)"
        )


def _inbox(settings: Settings) -> timedelta:
    return timedelta(days=settings.inbox_retention_days)


def _deliveries(settings: Settings) -> timedelta:
    return timedelta(days=settings.delivery_retention_days)


def _chats(settings: Settings) -> timedelta:
    return timedelta(days=1)


def _events(settings: Settings) -> timedelta:
    return timedelta(hours=settings.order_events_retention_hours)


def _windows(settings: Settings) -> timedelta:
    return timedelta(seconds=LONGEST_WINDOW_SECONDS)


CLEANUPS: tuple[Cleanup, ...] = (
    Cleanup("bot inbox", "telegram_updates", "received_at", _inbox),
    Cleanup("notification deliveries", "notification_deliveries", "updated_at", _deliveries),
    Cleanup("notification runs", "notification_runs", "created_at", _deliveries),
    Cleanup("notification chats", "notification_chats", "next_at", _chats),
    Cleanup("finished jobs' log", "pgqueuer_log", "created", _deliveries),
    Cleanup("job statistics", "pgqueuer_statistics", "created", _deliveries),
    Cleanup("order events", "order_events", "created_at", _events),
    Cleanup("rate limit windows", "rate_limit_windows", "to_timestamp(window_start)", _windows),
)
"""Every retention rule, of every domain with rows to forget."""


async def run_cleanups(
    db: Database, settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """Delete what every rule lets go, in batches (each its own short transaction)."""
    now = now or clock.now()
    deleted: dict[str, int] = {}
    for cleanup in CLEANUPS:
        cutoff = now - cleanup.retention(settings)
        total = 0
        while True:
            async with db.connection() as conn:
                status = await conn.execute(cleanup.sql, cutoff, CLEANUP_BATCH)
            count = int(status.split()[-1])
            total += count
            if count < CLEANUP_BATCH:
                break
        deleted[cleanup.name] = total
    return deleted


# --- the ticker ------------------------------------------------------------------------


@dataclass
class Ticker:
    db: Database
    maker: async_sessionmaker[AsyncSession]
    settings: Settings
    cleaned_at: float | None = field(default=None)

    async def tick(self) -> None:
        steps: list[tuple[str, Callable[[], object]]] = [
            ("auto-close", self._close_due_orders),
            ("reminders", lambda: send_reminders(self.db, self.settings)),
            ("digests", lambda: schedule_digests(self.db, self.settings)),
        ]
        if (
            self.cleaned_at is None
            or monotonic.monotonic() - self.cleaned_at >= CLEANUP_EVERY_SECONDS
        ):
            steps.append(("clean-ups", lambda: run_cleanups(self.db, self.settings)))
            self.cleaned_at = monotonic.monotonic()
        for name, step in steps:
            try:
                await step()  # type: ignore[misc]
            except Exception as error:
                if is_outage(error):
                    logger.warning("%s skipped: database unavailable", name)
                else:
                    logger.exception("%s failed", name)

    async def _close_due_orders(self) -> None:
        report = await close_due_orders(self.maker, self.settings)
        if report.changed:
            logger.info(
                "auto-close: %d unanswered closed (%d refunds, %d RUB), %d expired",
                report.closed_no_response,
                report.refunds,
                report.refunded_amount,
                report.expired,
            )

    async def run_forever(self) -> None:
        interval = self.settings.auto_close_interval_seconds
        while True:
            await self.tick()
            await asyncio.sleep(interval)
