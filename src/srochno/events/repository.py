"""The event log's SQL. Events are written by triggers (migration ``0007_live``) in the
transaction of the change; ids grow in commit order, so "after id N" misses nothing."""

from __future__ import annotations

from datetime import datetime

from srochno.db import Connection, Record

CHANNEL = "srochno_events"
EVENT_COLUMNS = "id, kind, user_id, city_key, category, payload::text AS payload"

LAST_ID = "SELECT coalesce(max(id), 0) FROM order_events"
# What the listener reads after a notification (or its safety poll, or a reconnect).
EVENTS_AFTER = f"SELECT {EVENT_COLUMNS} FROM order_events WHERE id > $1 ORDER BY id LIMIT $2"
# A stream's replay (Last-Event-ID): public events matching the filters ($3 city key,
# $4 category, NULL for any), or one user's, kept since $2.
PUBLIC_AFTER = (
    f"SELECT {EVENT_COLUMNS} FROM order_events WHERE id > $1 AND created_at >= $2 "
    "AND user_id IS NULL AND ($3::text IS NULL OR city_key = $3) "
    "AND ($4::text IS NULL OR category = $4) ORDER BY id LIMIT $5"
)
PERSONAL_AFTER = (
    f"SELECT {EVENT_COLUMNS} FROM order_events WHERE user_id = $3 AND id > $1 "
    "AND created_at >= $2 ORDER BY id LIMIT $4"
)


async def last_id(conn: Connection) -> int:
    return int(await conn.fetchval(LAST_ID))


async def events_after(conn: Connection, after: int, limit: int) -> list[Record]:
    return await conn.fetch(EVENTS_AFTER, after, limit)


async def public_after(
    conn: Connection,
    after: int,
    since: datetime,
    city_key: str | None,
    category: str | None,
    limit: int,
) -> list[Record]:
    return await conn.fetch(PUBLIC_AFTER, after, since, city_key, category, limit)


async def personal_after(
    conn: Connection, after: int, since: datetime, user_id: int, limit: int
) -> list[Record]:
    return await conn.fetch(PERSONAL_AFTER, after, since, user_id, limit)
