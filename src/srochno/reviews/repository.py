"""Reviews' and complaints' SQL. "One per …" rules are unique constraints."""

from __future__ import annotations

import functools
from datetime import datetime

from srochno.db import Connection, Record

REVIEW_COLUMNS = "id, order_id, author_id, executor_id, rating, comment, created_at"
COMPLAINT_COLUMNS = "id, order_id, author_id, client_id, reason, comment, created_at"

INSERT_REVIEW = (
    "INSERT INTO reviews (order_id, author_id, executor_id, rating, comment, created_at) "
    f"VALUES ($1, $2, $3, $4, $5, $6) RETURNING {REVIEW_COLUMNS}"
)
INSERT_COMPLAINT = (
    "INSERT INTO complaints (order_id, author_id, client_id, reason, comment, created_at) "
    f"VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COMPLAINT_COLUMNS}"
)


@functools.cache
def review_list_statements(by_rating: bool, by_executor: bool) -> tuple[str, str]:
    """Public reviews, newest first: the count and the page (with the author's first name)."""
    where: list[str] = []
    if by_rating:
        where.append(f"reviews.rating = ${len(where) + 1}")
    if by_executor:
        where.append(f"reviews.executor_id = ${len(where) + 1}")
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    n = len(where)
    count = f"SELECT count(*) FROM reviews {condition}"
    page = (
        "SELECT reviews.id, reviews.executor_id, reviews.rating, reviews.comment, "
        "users.first_name AS author_name, reviews.created_at "
        f"FROM reviews JOIN users ON users.id = reviews.author_id {condition} "
        f"ORDER BY reviews.id DESC LIMIT ${n + 1} OFFSET ${n + 2}"
    )
    return count, page


async def insert_review(
    conn: Connection,
    order_id: str,
    author_id: int,
    executor_id: int,
    rating: int,
    comment: str | None,
    now: datetime,
) -> Record:
    row = await conn.fetchrow(INSERT_REVIEW, order_id, author_id, executor_id, rating, comment, now)
    assert row is not None
    return row


async def insert_complaint(
    conn: Connection,
    order_id: str,
    author_id: int,
    client_id: int,
    reason: str,
    comment: str | None,
    now: datetime,
) -> Record:
    row = await conn.fetchrow(
        INSERT_COMPLAINT, order_id, author_id, client_id, reason, comment, now
    )
    assert row is not None
    return row


async def reviews(
    conn: Connection, *, rating: int | None, executor_id: int | None, limit: int, offset: int
) -> tuple[list[Record], int]:
    count_sql, page_sql = review_list_statements(rating is not None, executor_id is not None)
    args = [value for value in (rating, executor_id) if value is not None]
    total: int = await conn.fetchval(count_sql, *args)
    return await conn.fetch(page_sql, *args, limit, offset), total
