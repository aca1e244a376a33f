"""Closing orders in the background, set-based and safe to run in many copies at once.

Each batch is one transaction on the asyncpg :class:`~srochno.db.Database`:

1. pick due orders ``FOR NO KEY UPDATE SKIP LOCKED`` (copies running at once take
   disjoint sets, and a take holding an order's lock is never waited for);
2. close them with one ``UPDATE``;
3. refund their takes through the one refund flow (:mod:`srochno.ledger.refunds`: mark,
   lock the takers in id order, credit, notify, count), reason ``no_response``.

Row locks are ``FOR NO KEY UPDATE``, never ``FOR UPDATE``: the key-share locks that
foreign-key checks take (a review or complaint inserted at the same moment locks its user
rows, then its order row) do not conflict with them, so the job cannot deadlock with those
inserts.

A refund is recorded once per take: ``takes.refunded_at`` is set only while NULL, and a
partial unique index allows one ``refund`` ledger row per take.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from srochno import clock
from srochno.config import Settings
from srochno.db import Connection, Database
from srochno.enums import OrderStatus, RefundReason
from srochno.ledger.refunds import refund_takes
from srochno.orders.rules import no_response_due_sql

logger = logging.getLogger(__name__)

PICK_UNANSWERED = f"""
SELECT id FROM orders
WHERE {no_response_due_sql("$1")}
ORDER BY first_taken_at
LIMIT $2
FOR NO KEY UPDATE SKIP LOCKED
"""
CLOSE_UNANSWERED = f"""
UPDATE orders SET status = '{OrderStatus.closed_no_response.value}',
                  closed_at = $2, updated_at = $2
WHERE id = ANY($1::varchar[])
"""
EXPIRE = f"""
UPDATE orders SET status = '{OrderStatus.expired.value}', updated_at = $1
WHERE id IN (
    SELECT id FROM orders
    WHERE status = '{OrderStatus.active.value}' AND expires_at <= $1
    LIMIT $2
    FOR NO KEY UPDATE SKIP LOCKED
)
"""


@dataclass
class CloseReport:
    closed_no_response: int = 0
    refunds: int = 0
    refunded_amount: int = 0
    expired: int = 0

    def add(self, other: CloseReport) -> None:
        self.closed_no_response += other.closed_no_response
        self.refunds += other.refunds
        self.refunded_amount += other.refunded_amount
        self.expired += other.expired

    @property
    def changed(self) -> int:
        return self.closed_no_response + self.expired


async def close_unanswered_batch(
    conn: Connection, now: datetime, settings: Settings, batch: int
) -> CloseReport:
    deadline = now - settings.no_response_timeout
    ids: list[str] = [row["id"] for row in await conn.fetch(PICK_UNANSWERED, deadline, batch)]
    if not ids:
        return CloseReport()
    await conn.execute(CLOSE_UNANSWERED, ids, now)
    refunds = await refund_takes(conn, RefundReason.no_response, ids, now)
    return CloseReport(
        closed_no_response=len(ids), refunds=len(refunds.paid), refunded_amount=refunds.amount
    )


async def expire_batch(conn: Connection, now: datetime, batch: int) -> CloseReport:
    status = await conn.execute(EXPIRE, now, batch)
    return CloseReport(expired=int(status.split()[-1]))


async def close_due_orders(
    db: Database, settings: Settings, now: datetime | None = None
) -> CloseReport:
    """Close every order that is due at ``now``: unanswered ones with refunds first, then
    expiry. Batches of ``AUTO_CLOSE_BATCH_SIZE``, each its own short transaction."""
    now = now or clock.now()
    batch = settings.auto_close_batch_size
    report = CloseReport()
    for step in ("unanswered", "expire"):
        while True:
            async with db.transaction() as conn:
                if step == "unanswered":
                    part = await close_unanswered_batch(conn, now, settings, batch)
                else:
                    part = await expire_batch(conn, now, batch)
            report.add(part)
            if part.changed < batch:
                break
    return report
