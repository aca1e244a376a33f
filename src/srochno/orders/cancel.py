"""Cancelling an order: an operator's action. Its takers get their price back.

One transaction, locks in the fixed order (the order row, then the takers' rows in id
order): the order becomes ``cancelled``, every take not yet refunded is marked refunded and
credited back through the ledger, and the audit row is written. A moderator may do it: the
refunds follow the rule (the price each taker paid, once), no amount is chosen.

:func:`refund_takers` is that refund step, shared with a confirmed report
(:mod:`srochno.orders.moderation`): one flow, whoever closes the order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from srochno import clock, metrics
from srochno.db import Connection, Record
from srochno.enums import OPEN_STATUSES, AdminActionType
from srochno.ledger.refunds import refund_takes
from srochno.ledger.repository import lock_user
from srochno.notifications import events as notifications
from srochno.orders import repository
from srochno.orders.errors import OrderNotActive, OrderNotFound
from srochno.staff.service import Operator, clean_reason, record_action


async def refund_takers(
    conn: Connection,
    order_id: str,
    now: datetime,
    reason: str,
    *,
    lock_also: Iterable[int] = (),
) -> tuple[list[Record], int]:
    """Refund every take of the order not refunded yet (the caller holds the order's row
    lock): mark the takes refunded, credit each price back through the ledger, tell the
    takers why (``reason``, a ``metrics.REFUND_*`` label) and count it. The takers' rows
    are locked in id order together with ``lock_also`` (users the caller changes next),
    so two refunds cannot deadlock. Returns the takes and the rubles refunded."""
    takes = await repository.mark_takes_refunded(conn, order_id, now)
    paid = {t["executor_id"] for t in takes if t["price_paid"] > 0}
    for user_id in sorted(paid | set(lock_also)):
        await lock_user(conn, user_id)
    refunded = await refund_takes(conn, order_id, takes, now)
    await notifications.takes_refunded(conn, [{**t, "order_id": order_id} for t in takes], reason)
    metrics.count_refunds(reason, sum(1 for t in takes if t["price_paid"] > 0), refunded)
    return takes, refunded


async def cancel_order(
    conn: Connection, operator: Operator, order_id: str, reason: str
) -> dict[str, Any]:
    """Cancel an open (active or expired) order and refund its takers."""
    reason = clean_reason(reason)
    order = await repository.lock_order(conn, order_id)
    if order is None:
        raise OrderNotFound()
    if order["status"] not in OPEN_STATUSES:
        raise OrderNotActive()
    now = clock.now()
    await repository.cancel_order(conn, order_id, now)
    takes, refunded = await refund_takers(conn, order_id, now, metrics.REFUND_ORDER_CANCELLED)
    await record_action(
        conn,
        operator,
        AdminActionType.cancel_order,
        "order",
        order_id,
        reason,
        refunded_takes=sorted(t["id"] for t in takes),
        refunded_rub=refunded,
    )
    return {"order_id": order_id, "refunds": len(takes), "refunded": refunded}
