"""Closing orders in the background, set-based and safe to run in many copies at once.

Each batch is one transaction:

1. pick due orders ``FOR NO KEY UPDATE SKIP LOCKED`` (copies running at once take
   disjoint sets, and a take holding an order's lock is never waited for);
2. close them with one ``UPDATE``;
3. mark their unrefunded takes refunded with one ``UPDATE … RETURNING``;
4. lock the takers' user rows in id order (two copies cannot deadlock on them);
5. write every refund's ledger row (running ``balance_after`` by window function) and
   credit the balances, one statement each.

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

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from srochno import clock, metrics
from srochno.config import Settings
from srochno.enums import LedgerType, OrderStatus
from srochno.notifications.events import takes_refunded_in_session
from srochno.orders.rules import no_response_due_sql

logger = logging.getLogger(__name__)

PICK_UNANSWERED = text(
    f"""
    SELECT id FROM orders
    WHERE {no_response_due_sql(":deadline")}
    ORDER BY first_taken_at
    LIMIT :batch
    FOR NO KEY UPDATE SKIP LOCKED
    """
)
CLOSE_UNANSWERED = text(
    f"""
    UPDATE orders SET status = '{OrderStatus.closed_no_response.value}',
                      closed_at = :now, updated_at = :now
    WHERE id = ANY(:ids)
    """
)
MARK_REFUNDED = text(
    """
    UPDATE takes SET refunded_at = :now
    WHERE order_id = ANY(:ids) AND refunded_at IS NULL
    RETURNING id, order_id, executor_id, price_paid
    """
)
LOCK_USERS = text("SELECT id FROM users WHERE id = ANY(:ids) ORDER BY id FOR NO KEY UPDATE")
WRITE_REFUNDS = text(
    f"""
    INSERT INTO ledger_entries
        (user_id, type, amount, balance_after, order_id, take_id, created_at)
    SELECT r.executor_id, '{LedgerType.refund.value}', r.price, u.balance
           + sum(r.price) OVER (PARTITION BY r.executor_id ORDER BY r.take_id),
           r.order_id, r.take_id, :now
    FROM unnest(CAST(:take_ids AS bigint[]), CAST(:order_ids AS varchar[]),
                CAST(:executor_ids AS bigint[]), CAST(:prices AS bigint[]))
         AS r(take_id, order_id, executor_id, price)
    JOIN users u ON u.id = r.executor_id
    ORDER BY r.take_id
    """
)
CREDIT_REFUNDS = text(
    """
    UPDATE users SET balance = users.balance + r.total
    FROM (SELECT executor_id, sum(price) AS total
          FROM unnest(CAST(:executor_ids AS bigint[]), CAST(:prices AS bigint[]))
               AS t(executor_id, price)
          GROUP BY executor_id) AS r
    WHERE users.id = r.executor_id
    """
)
EXPIRE = text(
    f"""
    UPDATE orders SET status = '{OrderStatus.expired.value}', updated_at = :now
    WHERE id IN (
        SELECT id FROM orders
        WHERE status = '{OrderStatus.active.value}' AND expires_at <= :now
        LIMIT :batch
        FOR NO KEY UPDATE SKIP LOCKED
    )
    """
)


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
    session: AsyncSession, now: datetime, settings: Settings, batch: int
) -> CloseReport:
    deadline = now - settings.no_response_timeout
    ids: list[str] = list(
        (await session.execute(PICK_UNANSWERED, {"deadline": deadline, "batch": batch}))
        .scalars()
        .all()
    )
    if not ids:
        return CloseReport()
    await session.execute(CLOSE_UNANSWERED, {"ids": ids, "now": now})
    refunds = (await session.execute(MARK_REFUNDED, {"ids": ids, "now": now})).all()
    paid = [r for r in refunds if r.price_paid > 0]
    if paid:
        executors = [r.executor_id for r in paid]
        prices = [r.price_paid for r in paid]
        await session.execute(LOCK_USERS, {"ids": sorted(set(executors))})
        await session.execute(
            WRITE_REFUNDS,
            {
                "take_ids": [r.id for r in paid],
                "order_ids": [r.order_id for r in paid],
                "executor_ids": executors,
                "prices": prices,
                "now": now,
            },
        )
        await session.execute(CREDIT_REFUNDS, {"executor_ids": executors, "prices": prices})
        await takes_refunded_in_session(session, paid, metrics.REFUND_NO_RESPONSE)
    return CloseReport(
        closed_no_response=len(ids),
        refunds=len(paid),
        refunded_amount=sum(r.price_paid for r in paid),
    )


async def expire_batch(session: AsyncSession, now: datetime, batch: int) -> CloseReport:
    result = await session.execute(EXPIRE, {"now": now, "batch": batch})
    return CloseReport(expired=result.rowcount)  # type: ignore[attr-defined]


async def close_due_orders(
    maker: async_sessionmaker[AsyncSession], settings: Settings, now: datetime | None = None
) -> CloseReport:
    """Close every order that is due at ``now``: unanswered ones with refunds first, then
    expiry. Batches of ``AUTO_CLOSE_BATCH_SIZE``, each its own short transaction."""
    now = now or clock.now()
    batch = settings.auto_close_batch_size
    report = CloseReport()
    for step in ("unanswered", "expire"):
        while True:
            async with maker() as session, session.begin():
                if step == "unanswered":
                    part = await close_unanswered_batch(session, now, settings, batch)
                else:
                    part = await expire_batch(session, now, batch)
            report.add(part)
            metrics.count_refunds(metrics.REFUND_NO_RESPONSE, part.refunds, part.refunded_amount)
            if part.changed < batch:
                break
    return report
