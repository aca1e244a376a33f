"""Cancelling an order: an operator's action. Its takers get their price back, unless the
client responded (then the takers got what they paid for: the contact and an answer).

One transaction, locks in the fixed order (the order row, then the takers' rows in id
order): the order becomes ``cancelled``, every take not yet refunded goes through the one
refund flow (:mod:`srochno.ledger.refunds`, reason ``order_cancelled``), and the audit row
is written. A cancel that refunds moves money: only an admin may do it; a moderator may
cancel an order with nothing to refund.
"""

from __future__ import annotations

from typing import Any

from srochno import clock
from srochno.db import Connection
from srochno.enums import OPEN_STATUSES, AdminActionType, RefundReason
from srochno.ledger.refunds import refund_takes
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
    refunds = (
        await refund_takes(conn, RefundReason.order_cancelled, [order_id], now)
        if not responded
        else None
    )
    takes = refunds.takes if refunds else []
    refunded = refunds.amount if refunds else 0
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
