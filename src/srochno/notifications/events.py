"""What the business transactions call: each writes its jobs on the caller's connection,
so a job exists if and only if the change that decided it commits.

Every message job carries its delivery key ``(event, user)``; the sender claims it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from srochno.db import Connection, Record
from srochno.notifications.queue import ORDER_CREATED, SEND, Job, enqueue
from srochno.notifications.sender import Delivery


def send_job(delivery: Delivery) -> Job:
    return Job(SEND, delivery.payload(), dedupe_key=f"{delivery.event_key}|{delivery.user_id}")


async def deliver(conn: Connection | Any, deliveries: Iterable[Delivery]) -> None:
    await enqueue(conn, [send_job(delivery) for delivery in deliveries])


async def order_created(conn: Connection, order_id: str) -> None:
    """Announce a new order to its instant subscribers (fanned out by the worker)."""
    await enqueue(conn, [Job(ORDER_CREATED, {"order_id": order_id}, f"created|{order_id}")])


async def order_taken(
    conn: Connection, order_id: str, owner_id: int, executor_id: int, category: str
) -> None:
    """Tell the client an executor took the order (each take)."""
    data = {"order_id": order_id, "category": category}
    await deliver(
        conn, [Delivery(f"taken:{order_id}:{executor_id}", owner_id, "order_taken", data)]
    )


TAKERS = (
    "SELECT t.executor_id, o.category FROM takes t JOIN orders o ON o.id = t.order_id "
    "WHERE t.order_id = $1"
)


async def order_completed(conn: Connection, order_id: str) -> None:
    """Tell every taker the client marked the order completed."""
    rows = await conn.fetch(TAKERS, order_id)
    await deliver(
        conn,
        [
            Delivery(
                f"completed:{order_id}",
                row["executor_id"],
                "completed",
                {"order_id": order_id, "category": row["category"]},
            )
            for row in rows
        ],
    )


CATEGORIES_OF = "SELECT id, category FROM orders WHERE id = ANY($1::varchar[])"


async def takes_refunded(conn: Any, refunds: Sequence[Record | Any], reason: str) -> None:
    """Tell each taker their price came back. ``refunds``: rows with ``order_id``,
    ``executor_id`` and ``price_paid`` (free takes are not announced)."""
    paid = [r for r in refunds if r["price_paid"] > 0]
    if not paid:
        return
    rows = await conn.fetch(CATEGORIES_OF, sorted({r["order_id"] for r in paid}))
    categories = {row["id"]: row["category"] for row in rows}
    await deliver(
        conn,
        [
            Delivery(
                f"refund:{r['order_id']}:{r['executor_id']}",
                r["executor_id"],
                "refunded",
                {
                    "order_id": r["order_id"],
                    "category": categories.get(r["order_id"], "other"),
                    "amount": r["price_paid"],
                    "reason": reason,
                },
            )
            for r in paid
        ],
    )


async def takes_refunded_in_session(session: Any, rows: Sequence[Any], reason: str) -> None:
    """:func:`takes_refunded` for the batch jobs' SQLAlchemy session (same transaction)."""
    from srochno.notifications.queue import asyncpg_connection

    conn = await asyncpg_connection(session)
    await takes_refunded(conn, [row._asdict() for row in rows], reason)
