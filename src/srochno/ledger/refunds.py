"""Refunding takes outside the auto-close job (an order cancelled, a complaint upheld)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from srochno.db import Connection, Record
from srochno.enums import LedgerType
from srochno.ledger.repository import change_balance, lock_user


async def refund_takes(
    conn: Connection, order_id: str, takes: Sequence[Record], now: datetime
) -> int:
    """Credit each take's price back to its executor (one ``refund`` ledger row per take,
    linked to it) and return the total. ``takes`` were just marked refunded by the caller,
    under the order's lock; the takers' rows are locked in id order, like the job does, so
    two refunds cannot deadlock."""
    paid = sorted((t for t in takes if t["price_paid"] > 0), key=lambda t: t["id"])
    for executor_id in sorted({t["executor_id"] for t in paid}):
        await lock_user(conn, executor_id)
    total = 0
    for take in paid:
        entry = await change_balance(
            conn,
            take["executor_id"],
            take["price_paid"],
            LedgerType.refund,
            now=now,
            order_id=order_id,
            take_id=take["id"],
        )
        assert entry is not None  # a credit never fails the balance check
        total += take["price_paid"]
    return total
