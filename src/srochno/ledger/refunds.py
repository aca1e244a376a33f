"""The one refund flow: a take's price back to its executor, whoever asks for it (the
auto-close of an unanswered order, an operator cancelling an order, an admin upholding a
complaint), each with its :class:`~srochno.enums.RefundReason`.

One flow, in the caller's transaction, the caller holding the orders' rows locked (the
fixed lock order: orders, then users):

1. **mark**: the takes not refunded yet get ``refunded_at`` (only while NULL: a take is
   refunded once, whoever comes first; this flow is the one writer of ``refunded_at``);
2. **lock** the takers' user rows in id order (two refunds cannot deadlock on them);
3. **credit**: one ``refund`` ledger row per paid take (``balance_after`` the running sum,
   by window function) and the balances, one statement each, set-based for any number;
4. **notify** each taker ("refunded", queued in the same transaction);
5. **count** the refunds for the metrics, by reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from srochno import jobs, metrics
from srochno.db import Connection, Record
from srochno.enums import LedgerType, RefundReason

MARK_REFUNDED = """
UPDATE takes SET refunded_at = $2
WHERE order_id = ANY($1::varchar[]) AND refunded_at IS NULL
  AND ($3::bigint IS NULL OR executor_id = $3)
RETURNING id, order_id, executor_id, price_paid
"""
LOCK_USERS = "SELECT id FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE"
WRITE_REFUNDS = f"""
INSERT INTO ledger_entries (user_id, type, amount, balance_after, order_id, take_id, created_at)
SELECT r.executor_id, '{LedgerType.refund.value}', r.price, u.balance
       + sum(r.price) OVER (PARTITION BY r.executor_id ORDER BY r.take_id),
       r.order_id, r.take_id, $5
FROM unnest($1::bigint[], $2::varchar[], $3::bigint[], $4::bigint[])
     AS r(take_id, order_id, executor_id, price)
JOIN users u ON u.id = r.executor_id
ORDER BY r.take_id
"""
CREDIT_REFUNDS = """
UPDATE users SET balance = users.balance + r.total
FROM (SELECT executor_id, sum(price) AS total
      FROM unnest($1::bigint[], $2::bigint[]) AS t(executor_id, price)
      GROUP BY executor_id) AS r
WHERE users.id = r.executor_id
"""


@dataclass(frozen=True, slots=True)
class Refunds:
    takes: list[Record]
    """Every take marked refunded now, free ones included."""
    paid: list[Record]
    """Those whose price came back (in take id order)."""

    @property
    def amount(self) -> int:
        return sum(take["price_paid"] for take in self.paid)


async def refund_takes(
    conn: Connection,
    reason: RefundReason,
    order_ids: Sequence[str],
    now: datetime,
    *,
    executor_id: int | None = None,
    lock_also: Sequence[int] = (),
) -> Refunds:
    """Refund the unrefunded takes of ``order_ids`` (only ``executor_id``'s, when given).
    The caller holds the orders' rows locked; ``lock_also`` are users the caller changes
    next, locked in the same id order as the takers."""
    takes = await conn.fetch(MARK_REFUNDED, list(order_ids), now, executor_id)
    paid = sorted((take for take in takes if take["price_paid"] > 0), key=lambda t: t["id"])
    refunds = Refunds(takes, paid)
    executors = [take["executor_id"] for take in paid]
    if executors or lock_also:
        await conn.execute(LOCK_USERS, sorted({*executors, *lock_also}))
    if paid:
        prices = [take["price_paid"] for take in paid]
        await conn.execute(
            WRITE_REFUNDS,
            [take["id"] for take in paid],
            [take["order_id"] for take in paid],
            executors,
            prices,
            now,
        )
        await conn.execute(CREDIT_REFUNDS, executors, prices)
        await jobs.takes_refunded(conn, paid, reason)
    metrics.count_refunds(reason, len(paid), refunds.amount)
    return refunds
