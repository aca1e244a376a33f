"""The periodic work of the worker: a ticker every ``AUTO_CLOSE_INTERVAL_SECONDS``.

pgqueuer's scheduler is cron (minute granularity); the interval may be one second, so the
worker ticks on its own. Each step is safe in any number of workers at once:

* auto-close: ``SKIP LOCKED`` batches (:mod:`srochno.orders.auto_close`), refund messages
  queued in the same transactions;
* reminders: one per order, claimed in ``notification_runs``;
* digests: one fan-out per period, claimed in ``notification_runs``, one message per
  (period, user) by the delivery key;
* clean-ups (:mod:`srochno.worker.cleanups`), at most once an hour per worker, in small
  batches.
"""

from __future__ import annotations

import asyncio
import logging
import time as monotonic
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from srochno import clock
from srochno.config import Settings
from srochno.db import Database, is_outage
from srochno.jobs import Delivery, deliver
from srochno.notifications.fanout import DIGEST_GRACE, PERIODS, current_period, schedule_digest
from srochno.orders.auto_close import close_due_orders
from srochno.orders.rules import no_response_due_sql
from srochno.worker.cleanups import run_cleanups

logger = logging.getLogger(__name__)

CLEANUP_EVERY_SECONDS = 3600.0

# --- reminders -------------------------------------------------------------------------

# Orders the no-response rule makes due by the reminder moment ($2) but not yet now ($1).
REMINDERS_DUE = f"""
WITH due AS (
    SELECT id, owner_id, category, first_taken_at FROM orders
    WHERE {no_response_due_sql("$2")} AND NOT {no_response_due_sql("$1")}
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


# --- the ticker ------------------------------------------------------------------------


@dataclass
class Ticker:
    db: Database
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
        report = await close_due_orders(self.db, self.settings)
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
