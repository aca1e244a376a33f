"""Cancelling an order: an operator's action. Its takers get their price back, unless the
client responded (then the takers got what they paid for: the contact and an answer).

One transaction, locks in the fixed order (the order row, then the takers' rows in id
order): the order becomes ``cancelled``, every take not yet refunded is marked refunded and
credited back through the ledger, and the audit row is written. A cancel that refunds moves
money: only an admin may do it; a moderator may cancel an order with nothing to refund.
"""

from __future__ import annotations

from typing import Any

from srochno import clock, metrics
from srochno.db import Connection
from srochno.enums import OPEN_STATUSES, AdminActionType
from srochno.ledger.refunds import refund_takes
from srochno.notifications import events as notifications
from srochno.orders import repository
from srochno.orders.errors import OrderNotActive, OrderNotFound
from srochno.staff.service import Operator, clean_reason, record_action, require_admin


async def cancel_order(
    conn: Connection, operator: Operator, order_id: str, reason: str
) -> dict[str, Any]:
    """Cancel an open (active or expired) order and, if its client never responded,
    refund its takers (``admin_rights_required`` for a moderator when there is money to
    give back)."""
    reason = clean_reason(reason)
    order = await repository.lock_order(conn, order_id)
    if order is None:
        raise OrderNotFound()
    if order["status"] not in OPEN_STATUSES:
        raise OrderNotActive()
    responded = order["responded_at"] is not None
    if not responded and await repository.unrefunded_paid_takes(conn, order_id):
        require_admin(operator)
    now = clock.now()
    await repository.cancel_order(conn, order_id, now)
    takes = [] if responded else await repository.mark_takes_refunded(conn, order_id, now)
    refunded = await refund_takes(conn, order_id, takes, now)
    if takes:
        await notifications.takes_refunded(
            conn, [{**t, "order_id": order_id} for t in takes], metrics.REFUND_ORDER_CANCELLED
        )
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
    metrics.count_refunds(
        metrics.REFUND_ORDER_CANCELLED, sum(1 for t in takes if t["price_paid"] > 0), refunded
    )
    return {"order_id": order_id, "refunds": len(takes), "refunded": refunded}
