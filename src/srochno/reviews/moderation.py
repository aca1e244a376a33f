"""Moderating reviews and complaints: operators' actions, each with its audit row.

A hidden review leaves the public list and the executor's rating: the aggregates are
recomputed from the visible reviews under the executor's row lock, so they are exact
whatever runs at the same time (a new review adds to them atomically after the lock).
Resolving a complaint writes a note; an admin may also refund the complainant's take.
"""

from __future__ import annotations

from typing import Any

from srochno import clock
from srochno.db import Connection
from srochno.enums import AdminActionType, RefundReason
from srochno.ledger.refunds import refund_takes
from srochno.ledger.repository import lock_user
from srochno.orders import repository as orders
from srochno.reviews import repository
from srochno.reviews.errors import (
    ComplaintAlreadyResolved,
    ComplaintNotFound,
    ReviewAlreadyHidden,
    ReviewNotFound,
    ReviewNotHidden,
    TakeAlreadyRefunded,
)
from srochno.staff.service import Operator, clean_reason, record_action, require_admin


async def set_review_hidden(
    conn: Connection, operator: Operator, review_id: int, reason: str, *, hidden: bool
) -> dict[str, Any]:
    reason = clean_reason(reason)
    review = await repository.set_review_hidden(conn, review_id, clock.now() if hidden else None)
    if review is None:
        if await repository.find_review(conn, review_id) is None:
            raise ReviewNotFound()
        raise ReviewAlreadyHidden() if hidden else ReviewNotHidden()
    await lock_user(conn, review["executor_id"])
    rating = await repository.recompute_rating(conn, review["executor_id"])
    action = AdminActionType.hide_review if hidden else AdminActionType.unhide_review
    await record_action(
        conn,
        operator,
        action,
        "review",
        review_id,
        reason,
        executor_id=review["executor_id"],
        rating=review["rating"],
    )
    return {**dict(review), **dict(rating)}


async def hide_review(
    conn: Connection, operator: Operator, review_id: int, reason: str
) -> dict[str, Any]:
    return await set_review_hidden(conn, operator, review_id, reason, hidden=True)


async def unhide_review(
    conn: Connection, operator: Operator, review_id: int, reason: str
) -> dict[str, Any]:
    return await set_review_hidden(conn, operator, review_id, reason, hidden=False)


async def resolve_complaint(
    conn: Connection, operator: Operator, complaint_id: int, note: str, *, refund_take: bool
) -> dict[str, Any]:
    """Close a complaint with a note; with ``refund_take`` (admins only) the complainant
    gets the price of their take back, once (``take_already_refunded`` otherwise)."""
    if refund_take:
        require_admin(operator)
    note = clean_reason(note)
    now = clock.now()
    complaint = await repository.resolve_complaint(conn, complaint_id, now, note, operator.id)
    if complaint is None:
        if await repository.find_complaint(conn, complaint_id) is None:
            raise ComplaintNotFound()
        raise ComplaintAlreadyResolved()
    details: dict[str, Any] = {"order_id": complaint["order_id"]}
    if refund_take:
        order_id = complaint["order_id"]
        await orders.lock_order(conn, order_id)  # the fixed order: order, take, user
        refunds = await refund_takes(
            conn, RefundReason.complaint, [order_id], now, executor_id=complaint["author_id"]
        )
        if not refunds.takes:
            raise TakeAlreadyRefunded()
        details |= {"refunded_take_id": refunds.takes[0]["id"], "refunded_rub": refunds.amount}
    await record_action(
        conn,
        operator,
        AdminActionType.resolve_complaint,
        "complaint",
        complaint_id,
        note,
        **details,
    )
    return {**dict(complaint), **details}
