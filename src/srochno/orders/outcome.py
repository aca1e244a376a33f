"""The owner's reactions: respond to takers, mark the order completed."""

from __future__ import annotations

from srochno import clock, jobs
from srochno.config import Settings
from srochno.db import Connection
from srochno.enums import OPEN_STATUSES, OrderStatus
from srochno.orders import repository
from srochno.orders.errors import (
    CompletionWindowClosed,
    ExecutorNotTaker,
    NoTakes,
    OrderNotActive,
)
from srochno.orders.guards import lock_owned_order
from srochno.orders.presenter import OrderView, order_view, status_at
from srochno.users.repository import count_completed


async def respond(conn: Connection, settings: Settings, owner_id: int, order_id: str) -> OrderView:
    """The owner has reacted to the takers: the no-response refund no longer applies."""
    order = await lock_owned_order(conn, order_id, owner_id)
    now = clock.now()
    timeout = settings.no_response_timeout
    if order["executors_count"] == 0:
        raise NoTakes()
    if order["responded_at"] is None:
        if status_at(order, now, timeout) not in OPEN_STATUSES:
            raise OrderNotActive()
        order = await repository.mark_responded(conn, order_id, now)
    return order_view(order, now, timeout, viewer_id=owner_id, taken_by_me=False)


async def complete(
    conn: Connection, settings: Settings, owner_id: int, order_id: str, executor_id: int
) -> OrderView:
    """Mark the order done by one of its takers; the executor's count grows exactly once,
    because only the transition out of an open status (under the row lock) counts."""
    order = await lock_owned_order(conn, order_id, owner_id)
    now = clock.now()
    timeout = settings.no_response_timeout
    if order["status"] == OrderStatus.completed:
        if order["completed_executor_id"] != executor_id:
            raise OrderNotActive()
        return order_view(order, now, timeout, viewer_id=owner_id, taken_by_me=False)
    if await repository.find_take(conn, order_id, executor_id) is None:
        raise ExecutorNotTaker()
    if status_at(order, now, timeout) not in OPEN_STATUSES:
        raise OrderNotActive()
    if now > order["created_at"] + settings.completion_window:
        raise CompletionWindowClosed()
    order = await repository.mark_completed(conn, order_id, executor_id, now)
    await count_completed(conn, executor_id)
    await jobs.order_completed(conn, order_id)
    return order_view(order, now, timeout, viewer_id=owner_id, taken_by_me=False)
