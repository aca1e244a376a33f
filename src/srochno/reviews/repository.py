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
    n = len(where)
    where.append("reviews.hidden_at IS NULL")  # hidden by a moderator
    condition = f"WHERE {' AND '.join(where)}"
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


SET_REVIEW_HIDDEN = (
    "UPDATE reviews SET hidden_at = $2::timestamptz "
    "WHERE id = $1 AND (hidden_at IS NULL) = ($2::timestamptz IS NOT NULL) "
    f"RETURNING {REVIEW_COLUMNS}, hidden_at"
)
FIND_REVIEW = f"SELECT {REVIEW_COLUMNS}, hidden_at FROM reviews WHERE id = $1"
# Under the executor's row lock (taken by the caller in a statement of its own, so this
# statement's snapshot sees every review committed before it): the aggregates recomputed
# from the visible reviews, exact whatever they were before.
RECOMPUTE_RATING = """
UPDATE users SET rating_sum = r.total, reviews_count = r.n
FROM (SELECT coalesce(sum(rating), 0) AS total, count(*) AS n
      FROM reviews WHERE executor_id = $1 AND hidden_at IS NULL) AS r
WHERE users.id = $1
RETURNING users.rating_sum, users.reviews_count
"""
RESOLVE_COMPLAINT = (
    "UPDATE complaints SET resolved_at = $2, resolution_note = $3, resolved_by_id = $4 "
    f"WHERE id = $1 AND resolved_at IS NULL RETURNING {COMPLAINT_COLUMNS}"
)
FIND_COMPLAINT = f"SELECT {COMPLAINT_COLUMNS}, resolved_at FROM complaints WHERE id = $1"


async def set_review_hidden(
    conn: Connection, review_id: int, hidden_at: datetime | None
) -> Record | None:
    """Hide (``hidden_at``) or show a review; None when it already was so (or is missing)."""
    return await conn.fetchrow(SET_REVIEW_HIDDEN, review_id, hidden_at)


async def find_review(conn: Connection, review_id: int) -> Record | None:
    return await conn.fetchrow(FIND_REVIEW, review_id)


async def recompute_rating(conn: Connection, executor_id: int) -> Record:
    row = await conn.fetchrow(RECOMPUTE_RATING, executor_id)
    assert row is not None
    return row


async def resolve_complaint(
    conn: Connection, complaint_id: int, now: datetime, note: str, admin_id: int
) -> Record | None:
    return await conn.fetchrow(RESOLVE_COMPLAINT, complaint_id, now, note, admin_id)


async def find_complaint(conn: Connection, complaint_id: int) -> Record | None:
    return await conn.fetchrow(FIND_COMPLAINT, complaint_id)
