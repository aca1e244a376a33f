"""Orders' and takes' SQL: plain statements on asyncpg, built once, plain rows back.

Row locks are ``FOR NO KEY UPDATE``: the key-share locks that foreign-key checks take (a
review inserted at the same moment) do not conflict with them.
"""

from __future__ import annotations

import functools
from datetime import datetime

from srochno.db import Connection, Record
from srochno.enums import OrderStatus, ReportStatus
from srochno.orders.rules import no_response_due_sql

ORDER_FIELDS = (
    "id",
    "owner_id",
    "category",
    "description",
    "city",
    "city_key",
    "contact",
    "status",
    "max_executors",
    "take_price",
    "executors_count",
    "created_at",
    "updated_at",
    "expires_at",
    "first_taken_at",
    "responded_at",
    "completed_at",
    "completed_executor_id",
    "closed_at",
    "lat",
    "lon",
    "address",
    "cell",
)
ORDER_COLUMNS = ", ".join(f"orders.{name}" for name in ORDER_FIELDS)

INSERT_ORDER = (
    "INSERT INTO orders (id, owner_id, category, description, city, city_key, contact, "
    "status, max_executors, take_price, created_at, updated_at, expires_at, lat, lon, address, "
    "cell) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13, $14, $15, $16)"
)
# The viewer's take is looked up in the same statement; $2 is NULL for an anonymous viewer.
TAKEN_BY = (
    "EXISTS (SELECT 1 FROM takes WHERE takes.order_id = orders.id "
    "AND takes.executor_id = ${n}) AS taken_by_me"
)
TAKEN_AMONG = "SELECT order_id FROM takes WHERE executor_id = $1 AND order_id = ANY($2::text[])"
SELECT_ORDER = f"SELECT {ORDER_COLUMNS}, {TAKEN_BY.format(n=2)} FROM orders WHERE orders.id = $1"
LOCK_ORDER = f"SELECT {ORDER_COLUMNS} FROM orders WHERE orders.id = $1 FOR NO KEY UPDATE"
FIND_TAKE = (
    "SELECT taken_at, price_paid, refunded_at FROM takes WHERE order_id = $1 AND executor_id = $2"
)

# The take, statement 1: lock the order row, and read the executor's take of it, the
# order an Idempotency-Key was used for, and the balance. (After waiting for the lock the
# order row is re-read at its newest version; the rest is read from the statement's
# snapshot, and statement 2 settles what that snapshot missed.)
TAKE_CONTEXT = (
    f"SELECT {ORDER_COLUMNS}, mine.taken_at AS my_taken_at, mine.price_paid AS my_price_paid, "
    "(SELECT keyed.order_id FROM takes keyed WHERE keyed.executor_id = $2 "
    "AND keyed.idempotency_key = $3) AS keyed_order_id, "
    "(SELECT users.balance FROM users WHERE users.id = $2) AS balance, "
    "(SELECT owner.email IS NOT NULL AND owner.email_notifications FROM users owner "
    "WHERE owner.id = orders.owner_id) AS owner_by_email "
    "FROM orders LEFT JOIN takes mine ON mine.order_id = orders.id AND mine.executor_id = $2 "
    "WHERE orders.id = $1 FOR NO KEY UPDATE OF orders"
)

UPDATE_ORDER = (
    "UPDATE orders SET category = $2, description = $3, contact = $4, updated_at = $5, "
    "address = $6 "
    f"WHERE id = $1 RETURNING {ORDER_COLUMNS}"
)
DELETE_ORDER = (
    f"UPDATE orders SET status = '{OrderStatus.deleted.value}', updated_at = $2, "
    "closed_at = $2 WHERE id = $1"
)
RESPOND = (
    f"UPDATE orders SET responded_at = $2, updated_at = $2 WHERE id = $1 RETURNING {ORDER_COLUMNS}"
)
COMPLETE = (
    f"UPDATE orders SET status = '{OrderStatus.completed.value}', completed_executor_id = $2, "
    "completed_at = $3, responded_at = coalesce(responded_at, $3), updated_at = $3 "
    f"WHERE id = $1 RETURNING {ORDER_COLUMNS}"
)

# The owner's list of takers ($1 the order, $2 the owner), first taker first.
TAKERS = (
    "SELECT takes.executor_id, users.first_name, takes.taken_at, takes.refunded_at, "
    "users.completed_orders_count, users.rating_sum, users.reviews_count, "
    "EXISTS (SELECT 1 FROM reviews WHERE reviews.order_id = takes.order_id "
    "AND reviews.author_id = $2 AND reviews.executor_id = takes.executor_id) AS reviewed_by_me "
    "FROM takes JOIN users ON users.id = takes.executor_id WHERE takes.order_id = $1 "
    "ORDER BY takes.taken_at, takes.id"
)

MY_ORDERS_WHERE = f"owner_id = $1 AND status <> '{OrderStatus.deleted.value}'"
COUNT_MY_ORDERS = f"SELECT count(*) FROM orders WHERE {MY_ORDERS_WHERE}"
MY_ORDERS = (
    f"SELECT {ORDER_COLUMNS} FROM orders WHERE {MY_ORDERS_WHERE} "
    "ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
)
COUNT_MY_TAKES = "SELECT count(*) FROM takes WHERE executor_id = $1"
MY_TAKES = (
    f"SELECT {ORDER_COLUMNS}, takes.taken_at AS my_taken_at, takes.price_paid AS my_price_paid, "
    "takes.refunded_at AS my_refunded_at, EXISTS (SELECT 1 FROM complaints c "
    "WHERE c.order_id = orders.id AND c.author_id = $1) AS my_complained "
    "FROM orders JOIN takes ON takes.order_id = orders.id WHERE takes.executor_id = $1 "
    "ORDER BY takes.taken_at DESC, takes.id DESC LIMIT $2 OFFSET $3"
)


@functools.cache
def feed_statements(by_city: bool, by_category: bool, with_viewer: bool) -> tuple[str, str]:
    """The public list's count and page: active, unexpired, not past the no-response
    deadline ($1 now, $2 the deadline), optionally of one city key and one category."""
    where = [
        f"orders.status = '{OrderStatus.active.value}'",
        "orders.expires_at > $1",
        f"NOT {no_response_due_sql('$2')}",
    ]
    n = 2
    if by_city:
        n += 1
        where.append(f"orders.city_key = ${n}")
    if by_category:
        n += 1
        where.append(f"orders.category = ${n}")
    condition = " AND ".join(where)
    taken = TAKEN_BY.format(n=n + 1) if with_viewer else "false AS taken_by_me"
    n += with_viewer
    count = f"SELECT count(*) FROM orders WHERE {condition}"
    page = (
        f"SELECT {ORDER_COLUMNS}, {taken} FROM orders WHERE {condition} "
        f"ORDER BY orders.created_at DESC, orders.id DESC LIMIT ${n + 1} OFFSET ${n + 2}"
    )
    return count, page


ACTIVE_LOCATED = (
    f"orders.status = '{OrderStatus.active.value}' AND orders.cell IS NOT NULL "
    f"AND orders.expires_at > $1 AND NOT {no_response_due_sql('$2', open_=True)}"
)


@functools.cache
def near_statements(by_category: bool, with_viewer: bool) -> tuple[str, str]:
    """The near feed's count ($3 every cell within the radius) and page ($3 the cells left,
    nearest first, $4 the id each cell's orders come after, $5 how many to read): active,
    unexpired, not past the no-response deadline ($1 now, $2 the deadline), optionally of
    one category ($6 / $4). Each cell is read by its own index range, at most a page of
    it; the page is the first of those in the cells' order. (``OFFSET 0`` keeps the count's
    subquery a per-cell index scan: pulled up into a join, the planner would rather read
    every active order by expiry and hash them.)"""
    category = " AND orders.category = ${n}"
    count = (
        "SELECT count(*) FROM unnest($3::bigint[]) AS near(cell) CROSS JOIN LATERAL "
        f"(SELECT 1 FROM orders WHERE orders.cell = near.cell AND {ACTIVE_LOCATED}"
        f"{category.format(n=4) if by_category else ''} OFFSET 0) AS orders"
    )
    n = 6
    taken = TAKEN_BY.format(n=n + by_category) if with_viewer else "false AS taken_by_me"
    page = (
        f"SELECT {ORDER_COLUMNS}, {taken} "
        "FROM unnest($3::bigint[], $4::text[]) WITH ORDINALITY AS near(cell, after_id, rank) "
        f"CROSS JOIN LATERAL (SELECT {ORDER_COLUMNS} FROM orders "
        f"WHERE orders.cell = near.cell AND orders.id > near.after_id AND {ACTIVE_LOCATED}"
        f"{category.format(n=n) if by_category else ''} "
        "ORDER BY orders.id LIMIT $5) AS orders "
        "ORDER BY near.rank, orders.id LIMIT $5"
    )
    return count, page


async def near_feed(
    conn: Connection,
    *,
    now: datetime,
    deadline: datetime,
    cells: list[int],
    after_ids: list[str],
    all_cells: list[int],
    category: str | None,
    viewer_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Record], int]:
    count_sql, page_sql = near_statements(category is not None, viewer_id is not None)
    extra: list[object] = [category] if category is not None else []
    total: int = await conn.fetchval(count_sql, now, deadline, all_cells, *extra)
    if viewer_id is not None:
        extra.append(viewer_id)
    rows = await conn.fetch(page_sql, now, deadline, cells, after_ids, limit + offset, *extra)
    return rows[offset:], total


async def taken_among(conn: Connection, executor_id: int, order_ids: list[str]) -> set[str]:
    """Which of ``order_ids`` the executor has taken."""
    return {row["order_id"] for row in await conn.fetch(TAKEN_AMONG, executor_id, order_ids)}


async def insert_order(conn: Connection, values: dict[str, object]) -> None:
    await conn.execute(
        INSERT_ORDER,
        values["id"],
        values["owner_id"],
        values["category"],
        values["description"],
        values["city"],
        values["city_key"],
        values["contact"],
        values["status"],
        values["max_executors"],
        values["take_price"],
        values["created_at"],
        values["expires_at"],
        values["lat"],
        values["lon"],
        values["address"],
        values["cell"],
    )


async def find_order(conn: Connection, order_id: str, viewer_id: int | None) -> Record | None:
    return await conn.fetchrow(SELECT_ORDER, order_id, viewer_id)


async def lock_order(conn: Connection, order_id: str) -> Record | None:
    return await conn.fetchrow(LOCK_ORDER, order_id)


async def find_take(conn: Connection, order_id: str, executor_id: int) -> Record | None:
    return await conn.fetchrow(FIND_TAKE, order_id, executor_id)


async def take_context(
    conn: Connection, order_id: str, executor_id: int, idempotency_key: str | None
) -> Record | None:
    return await conn.fetchrow(TAKE_CONTEXT, order_id, executor_id, idempotency_key)


async def update_order(
    conn: Connection,
    order_id: str,
    category: str,
    description: str,
    contact: str,
    now: datetime,
    address: str | None,
) -> Record:
    row = await conn.fetchrow(UPDATE_ORDER, order_id, category, description, contact, now, address)
    assert row is not None
    return row


async def delete_order(conn: Connection, order_id: str, now: datetime) -> None:
    await conn.execute(DELETE_ORDER, order_id, now)


async def mark_responded(conn: Connection, order_id: str, now: datetime) -> Record:
    row = await conn.fetchrow(RESPOND, order_id, now)
    assert row is not None
    return row


async def mark_completed(
    conn: Connection, order_id: str, executor_id: int, now: datetime
) -> Record:
    row = await conn.fetchrow(COMPLETE, order_id, executor_id, now)
    assert row is not None
    return row


async def feed(
    conn: Connection,
    *,
    now: datetime,
    deadline: datetime,
    city_key: str | None,
    category: str | None,
    viewer_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Record], int]:
    count_sql, page_sql = feed_statements(
        city_key is not None, category is not None, viewer_id is not None
    )
    args: list[object] = [now, deadline]
    if city_key is not None:
        args.append(city_key)
    if category is not None:
        args.append(category)
    total: int = await conn.fetchval(count_sql, *args)
    if viewer_id is not None:
        args.append(viewer_id)
    rows = await conn.fetch(page_sql, *args, limit, offset)
    return rows, total


async def takers_of(conn: Connection, order_id: str, owner_id: int) -> list[Record]:
    return await conn.fetch(TAKERS, order_id, owner_id)


async def orders_of(
    conn: Connection, owner_id: int, limit: int, offset: int
) -> tuple[list[Record], int]:
    total: int = await conn.fetchval(COUNT_MY_ORDERS, owner_id)
    return await conn.fetch(MY_ORDERS, owner_id, limit, offset), total


async def takes_of(
    conn: Connection, executor_id: int, limit: int, offset: int
) -> tuple[list[Record], int]:
    total: int = await conn.fetchval(COUNT_MY_TAKES, executor_id)
    return await conn.fetch(MY_TAKES, executor_id, limit, offset), total


CANCEL_ORDER = (
    f"UPDATE orders SET status = '{OrderStatus.cancelled.value}', closed_at = $2, "
    "updated_at = $2 WHERE id = $1"
)
# A cancel refunds only when unrefunded paid takes remain: then it needs an admin.
UNREFUNDED_PAID_TAKES = (
    "SELECT count(*) FROM takes WHERE order_id = $1 AND refunded_at IS NULL AND price_paid > 0"
)


async def cancel_order(conn: Connection, order_id: str, now: datetime) -> None:
    await conn.execute(CANCEL_ORDER, order_id, now)


async def unrefunded_paid_takes(conn: Connection, order_id: str) -> int:
    count: int = await conn.fetchval(UNREFUNDED_PAID_TAKES, order_id)
    return count


# --- reports and their moderation ----------------------------------------------------------

REPORT_COLUMNS = "id, order_id, reason, comment, status, created_at"
# The order as a report needs it, share-locked: a moderator's decision (which locks the
# row for an update) waits for the report's commit, or the report waits for the decision
# and then reads the order as the decision left it.
LOCK_ORDER_FOR_REPORT = "SELECT id, owner_id, status FROM orders WHERE id = $1 FOR SHARE"
# uq_order_reports_order_id_reporter_id → already_reported
INSERT_REPORT = (
    "INSERT INTO order_reports (order_id, reporter_id, reason, comment, created_at) "
    f"VALUES ($1, $2, $3, $4, $5) RETURNING {REPORT_COLUMNS}"
)
# Every pending report of the order gets the decision; a report decided already (by a
# moderator who was first) is not touched again, so a decision happens once.
DECIDE_REPORTS = (
    "UPDATE order_reports SET status = $2, decided_at = $3, decided_by_id = $4 "
    f"WHERE order_id = $1 AND status = '{ReportStatus.pending.value}' "
    "RETURNING id, reporter_id, reason"
)
CLOSE_REPORTED_ORDER = (
    f"UPDATE orders SET status = '{OrderStatus.deleted.value}', updated_at = $2, "
    f"closed_at = coalesce(closed_at, $2) WHERE id = $1 AND status <> '{OrderStatus.deleted.value}'"
)
# The pending reports of some orders (a page of the moderation queue), oldest first.
PENDING_REPORTS = (
    "SELECT order_id, reason, comment, created_at FROM order_reports "
    f"WHERE order_id = ANY($1::text[]) AND status = '{ReportStatus.pending.value}' "
    "ORDER BY order_id, created_at, id"
)


async def lock_order_for_report(conn: Connection, order_id: str) -> Record | None:
    return await conn.fetchrow(LOCK_ORDER_FOR_REPORT, order_id)


async def insert_report(
    conn: Connection,
    order_id: str,
    reporter_id: int,
    reason: str,
    comment: str | None,
    now: datetime,
) -> Record:
    row = await conn.fetchrow(INSERT_REPORT, order_id, reporter_id, reason, comment, now)
    assert row is not None
    return row


async def decide_reports(
    conn: Connection, order_id: str, status: ReportStatus, now: datetime, operator_id: int
) -> list[Record]:
    return await conn.fetch(DECIDE_REPORTS, order_id, status.value, now, operator_id)


async def close_reported_order(conn: Connection, order_id: str, now: datetime) -> None:
    await conn.execute(CLOSE_REPORTED_ORDER, order_id, now)


async def pending_reports(conn: Connection, order_ids: list[str]) -> list[Record]:
    return await conn.fetch(PENDING_REPORTS, order_ids)
