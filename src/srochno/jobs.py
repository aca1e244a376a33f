"""What a business transaction queues: jobs on pgqueuer's queue, messages to users.

Everything here runs on the caller's own connection, so a job exists if and only if the
change that decided it commits; every message job carries its delivery key
``(event, user)``, which the sender (:mod:`srochno.notifications.sender`) claims once.
Importing this module loads no Telegram library: the domains below the bot import it.

:func:`enqueue` runs pgqueuer's own SQL (``Queries.enqueue``'s statement, built once by
its query builder) directly on the caller's connection, without the per-call layers of
``Queries`` and its driver (argument normalisation, a lock, tracing hooks, decoding the new
ids nobody reads), which cost a take nearly half as much as the statement itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from pgqueuer.adapters.persistence import qb

from srochno.db import Connection, Record
from srochno.enums import RefundReason

ORDER_CREATED = "order_created"
"""Fan-out: one ``send`` job per matching instant subscriber."""
DIGEST = "digest"
"""Fan-out: one ``send`` job per hourly/daily subscriber with matching orders."""
SEND = "send"
"""One message to one user about one event."""


@dataclass(frozen=True, slots=True)
class Job:
    entrypoint: str
    payload: dict[str, Any]
    dedupe_key: str | None = None
    delay: timedelta | None = None


ENQUEUE = qb.QueryQueueBuilder().build_enqueue_query("skip")
"""pgqueuer's enqueue: ``$1`` priorities, ``$2`` entrypoints, ``$3`` payloads, ``$4``
delays, ``$5`` dedupe keys, ``$6`` headers (JSON texts). A job whose dedupe key is
already queued or running is skipped."""
NO_DELAY = timedelta(0)
NO_HEADERS = "null"


async def enqueue(conn: Connection | Any, jobs: Sequence[Job]) -> None:
    """Write ``jobs`` on ``conn``: committed, or rolled back, with the caller's transaction.
    A job whose ``dedupe_key`` is already queued or running is skipped."""
    if not jobs:
        return
    await conn.execute(
        ENQUEUE,
        [0] * len(jobs),
        [job.entrypoint for job in jobs],
        [orjson.dumps(job.payload) for job in jobs],
        [job.delay or NO_DELAY for job in jobs],
        [job.dedupe_key for job in jobs],
        [NO_HEADERS] * len(jobs),
    )


def decode(payload: bytes | None) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(payload or b"{}")
    return data


@dataclass(frozen=True, slots=True)
class Delivery:
    """One message to one user about one event: ``kind`` names its text, ``data`` fills it."""

    event_key: str
    user_id: int
    kind: str
    data: dict[str, Any]

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Delivery:
        return cls(payload["event"], int(payload["user"]), payload["kind"], payload["data"])

    def payload(self) -> dict[str, Any]:
        return {"event": self.event_key, "user": self.user_id, "kind": self.kind, "data": self.data}


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


async def takes_refunded(
    conn: Connection | Any, refunds: Sequence[Record | Any], reason: RefundReason
) -> None:
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
