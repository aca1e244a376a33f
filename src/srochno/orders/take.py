"""Taking an order: pay the price, get the contact. Safe under any concurrency.

One transaction, locks always in the same order so concurrent takes cannot deadlock:

1. ``SELECT … FROM orders WHERE id = … FOR NO KEY UPDATE`` — takes of one order queue here, so
   the cap check and the counter increment cannot interleave;
2. ``UPDATE users SET balance = balance - price WHERE id = … AND balance >= price`` —
   the user's row lock; with READ COMMITTED the condition is re-checked on the newest row
   version, so racing takes of one executor on different orders cannot overdraw.

PostgreSQL backs each rule with a constraint: ``UNIQUE (order_id, executor_id)``,
``CHECK (executors_count <= max_executors)``, ``CHECK (balance >= 0)``, and one
``order_take`` ledger row per take (a partial unique index).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srochno import clock
from srochno.config import Settings
from srochno.errors import IdempotencyKeyConflict, OrderNotActive
from srochno.ledger.service import change_balance, current_balance
from srochno.models import Order, Take, User
from srochno.orders.errors import InsufficientBalance, OrderExpired, OrderFull, OwnOrder
from srochno.orders.schemas import TakeOut, TakeResult
from srochno.orders.service import find_take, load_order, present, status_now


async def take_order(
    session: AsyncSession,
    settings: Settings,
    executor: User,
    order_id: str,
    idempotency_key: str | None = None,
) -> TakeResult:
    order = await load_order(session, order_id, executor.id, for_update=True)
    if order.owner_id == executor.id:
        raise OwnOrder()
    existing = await find_take(session, order.id, executor.id)
    if idempotency_key is not None:
        keyed = await session.scalar(
            select(Take).where(
                Take.executor_id == executor.id, Take.idempotency_key == idempotency_key
            )
        )
        if keyed is not None and keyed.order_id != order.id:
            raise IdempotencyKeyConflict()
    if existing is not None:
        balance = await current_balance(session, executor.id)
        return _result(order, existing, balance, settings, replayed=True)

    now = clock.now()
    status = status_now(order, settings, now)
    if status == "expired":
        raise OrderExpired()
    if status != "active":
        raise OrderNotActive()
    if order.executors_count >= order.max_executors:
        raise OrderFull.for_cap(order.max_executors)

    take = Take(
        order_id=order.id,
        executor_id=executor.id,
        price_paid=order.take_price,
        taken_at=now,
        idempotency_key=idempotency_key,
    )
    session.add(take)
    await session.flush()  # the take's id, for its ledger row
    entry = await change_balance(
        session,
        executor.id,
        -order.take_price,
        "order_take",
        now=now,
        order_id=order.id,
        take_id=take.id,
    )
    if entry is None:  # the whole transaction, take row included, is rolled back
        raise InsufficientBalance.for_price(order.take_price)
    order.executors_count += 1
    if order.first_taken_at is None:
        order.first_taken_at = now
    await session.flush()
    return _result(order, take, entry.balance_after, settings, replayed=False)


def _result(
    order: Order, take: Take, balance: int, settings: Settings, *, replayed: bool
) -> TakeResult:
    return TakeResult(
        order=present(order, settings, clock.now(), viewer_id=take.executor_id, taken_by_me=True),
        take=TakeOut(taken_at=take.taken_at, price_paid=take.price_paid),
        balance=balance,
        replayed=replayed,
    )
