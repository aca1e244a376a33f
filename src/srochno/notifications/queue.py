"""The job queue: pgqueuer on PostgreSQL, enqueued on the caller's own connection.

A job written with :func:`enqueue` on a connection inside a transaction is part of that
transaction: it exists if and only if the transaction commits. The SQL is pgqueuer's own
(``Queries.enqueue``); its query builders are made once, not per call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from pgqueuer.adapters.persistence import qb
from pgqueuer.db import AsyncpgDriver
from pgqueuer.queries import Queries
from sqlalchemy.ext.asyncio import AsyncSession

from srochno.db import Connection

ORDER_CREATED = "order_created"
"""Fan-out: one ``send`` job per matching instant subscriber."""
DIGEST = "digest"
"""Fan-out: one ``send`` job per hourly/daily subscriber with matching orders."""
SEND = "send"
"""One message to one user about one event."""

_ENVIRONMENT = qb.QueryBuilderEnvironment()
_QUEUE = qb.QueryQueueBuilder()
_SCHEDULER = qb.QuerySchedulerBuilder()


def queries_on(conn: Any) -> Queries:
    """pgqueuer's queries on one asyncpg connection (in whatever transaction it is in)."""
    return Queries(AsyncpgDriver(conn), qbe=_ENVIRONMENT, qbq=_QUEUE, qbs=_SCHEDULER)


@dataclass(frozen=True, slots=True)
class Job:
    entrypoint: str
    payload: dict[str, Any]
    dedupe_key: str | None = None
    delay: timedelta | None = None


async def enqueue(conn: Connection | Any, jobs: Sequence[Job]) -> None:
    """Write ``jobs`` on ``conn``: committed, or rolled back, with the caller's transaction.
    A job whose ``dedupe_key`` is already queued or running is skipped."""
    if not jobs:
        return
    await queries_on(conn).enqueue(
        [job.entrypoint for job in jobs],
        [orjson.dumps(job.payload) for job in jobs],
        [0] * len(jobs),
        [job.delay for job in jobs],
        [job.dedupe_key for job in jobs],
        on_conflict="skip",
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
