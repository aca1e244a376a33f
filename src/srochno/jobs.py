"""The job queue: pgqueuer on PostgreSQL, enqueued on the caller's own connection.

A job written with :func:`enqueue` on a connection inside a transaction is part of that
transaction: it exists if and only if the transaction commits. The SQL is pgqueuer's own
(``Queries.enqueue``'s statement, built once by its query builder); it runs directly on
the request's connection, without the per-call layers of ``Queries`` and its driver
(argument normalisation, a lock, tracing hooks, decoding the new ids nobody reads), which
cost a take nearly half as much as the statement itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from pgqueuer.adapters.persistence import qb
from sqlalchemy.ext.asyncio import AsyncSession

from srochno.db import Connection

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


async def asyncpg_connection(session: AsyncSession) -> Any:
    """The asyncpg connection under an SQLAlchemy session, in the session's transaction
    (the batch jobs enqueue in the same transaction as their changes)."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection


def decode(payload: bytes | None) -> dict[str, Any]:
    data: dict[str, Any] = orjson.loads(payload or b"{}")
    return data
