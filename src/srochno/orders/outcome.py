"""The owner's reactions: respond to takers, mark the order completed."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from srochno import clock
from srochno.config import Settings
from srochno.errors import ExecutorNotTaker, OrderNotActive
from srochno.models import User
from srochno.orders.errors import CompletionWindowClosed, NoTakes
from srochno.orders.rules import OPEN_STATUSES
from srochno.orders.schemas import OrderOut
from srochno.orders.service import find_take, load_owned_order, present, status_now


async def respond(
    session: AsyncSession, settings: Settings, owner: User, order_id: str
) -> OrderOut:
    """The owner has reacted to the takers: the no-response refund no longer applies."""
    order = await load_owned_order(session, order_id, owner)
    now = clock.now()
    if order.executors_count == 0:
        raise NoTakes()
    if order.responded_at is None:
        if status_now(order, settings, now) not in OPEN_STATUSES:
            raise OrderNotActive()
        order.responded_at = now
        order.updated_at = now
        await session.flush()
    return present(order, settings, now, viewer_id=owner.id, taken_by_me=False)


async def complete(
    session: AsyncSession, settings: Settings, owner: User, order_id: str, executor_id: int
) -> OrderOut:
    """Mark the order done by one of its takers; the executor's count grows exactly once,
    because only the transition out of an open status (under the row lock) counts."""
    order = await load_owned_order(session, order_id, owner)
    now = clock.now()
    if order.status == "completed":
        if order.completed_executor_id != executor_id:
            raise OrderNotActive()
        return present(order, settings, now, viewer_id=owner.id, taken_by_me=False)
    if await find_take(session, order.id, executor_id) is None:
        raise ExecutorNotTaker()
    if status_now(order, settings, now) not in OPEN_STATUSES:
        raise OrderNotActive()
    if now > order.created_at + settings.completion_window:
        raise CompletionWindowClosed()
    order.status = "completed"
    order.completed_executor_id = executor_id
    order.completed_at = now
    order.responded_at = order.responded_at or now
    order.updated_at = now
    await session.flush()
    await session.execute(
        update(User)
        .where(User.id == executor_id)
        .values(completed_orders_count=User.completed_orders_count + 1)
    )
    return present(order, settings, now, viewer_id=owner.id, taken_by_me=False)
