"""Taking an order: pay the price, get the contact. Safe under any concurrency.

One transaction of two statements (see :mod:`srochno.orders.repository`), locks always in
the same order so concurrent takes cannot deadlock:

1. ``TAKE_CONTEXT`` locks the order row (``FOR NO KEY UPDATE``): takes of one order queue
   here, so the cap check and the counter increment cannot interleave. The rules are then
   decided here, in Python, on the newest version of the row;
2. ``WRITE_TAKE`` inserts the take (``ON CONFLICT DO NOTHING`` on ``(order_id,
   executor_id)``: a concurrent retry of the same take is answered as a replay), debits the
   balance with ``balance >= price`` re-checked on the newest user row (READ COMMITTED), so
   racing takes of one executor on different orders cannot overdraw, writes the ledger row
   and counts the take on the order.

PostgreSQL backs each rule with a constraint: ``UNIQUE (order_id, executor_id)``,
``CHECK (executors_count <= max_executors)``, ``CHECK (balance >= 0)``, and one
``order_take`` ledger row per take (a partial unique index).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from srochno import clock, jobs, metrics
from srochno.config import Settings
from srochno.db import Connection
from srochno.enums import OrderStatus
from srochno.errors import IdempotencyKeyConflict
from srochno.ledger import repository as ledger
from srochno.orders import repository
from srochno.orders.errors import (
    InsufficientBalance,
    OrderExpired,
    OrderFull,
    OrderNotActive,
    OwnOrder,
)
from srochno.orders.guards import visible
from srochno.orders.presenter import TakeResultView, order_view, status_at, take_view
from srochno.users.repository import balance_of


async def take_order(
    conn: Connection,
    settings: Settings,
    executor_id: int,
    order_id: str,
    idempotency_key: str | None = None,
) -> TakeResultView:
    row = visible(
        await repository.take_context(conn, order_id, executor_id, idempotency_key), executor_id
    )
    if row["owner_id"] == executor_id:
        raise OwnOrder()
    keyed = row["keyed_order_id"]
    if keyed is not None and keyed != order_id:
        raise IdempotencyKeyConflict()
    if row["my_taken_at"] is not None:
        return _result(
            row, settings, executor_id, row["my_taken_at"], row["my_price_paid"], row["balance"]
        )

    now = clock.now()
    status = status_at(row, now, settings.no_response_timeout)
    if status == OrderStatus.expired:
        raise OrderExpired()
    if status != OrderStatus.active:
        raise OrderNotActive()
    if row["executors_count"] >= row["max_executors"]:
        raise OrderFull.for_cap(row["max_executors"])

    price: int = row["take_price"]
    written = await ledger.write_take(conn, order_id, executor_id, price, now, idempotency_key)
    if written["take_id"] is None:  # the same take, committed meanwhile by a retry
        take = await repository.find_take(conn, order_id, executor_id)
        assert take is not None
        return _result(
            row,
            settings,
            executor_id,
            take["taken_at"],
            take["price_paid"],
            await balance_of(conn, executor_id),
        )
    if written["balance"] is None:  # the whole transaction, take row included, rolls back
        raise InsufficientBalance.for_price(price)
    await jobs.order_taken(
        conn, order_id, row["owner_id"], executor_id, row["category"], row["owner_by_email"]
    )
    metrics.TAKES.inc()
    order = {
        **row,
        "executors_count": row["executors_count"] + 1,
        "first_taken_at": row["first_taken_at"] or now,
    }
    return _result(order, settings, executor_id, now, price, written["balance"], replayed=False)


def _result(
    order: Any,
    settings: Settings,
    executor_id: int,
    taken_at: datetime,
    price_paid: int,
    balance: int,
    *,
    replayed: bool = True,
) -> TakeResultView:
    return {
        "order": order_view(
            order,
            clock.now(),
            settings.no_response_timeout,
            viewer_id=executor_id,
            taken_by_me=True,
        ),
        "take": take_view(taken_at, price_paid),
        "balance": balance,
        "replayed": replayed,
    }
