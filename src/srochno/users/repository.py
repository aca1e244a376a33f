"""Users' SQL: plain statements on asyncpg, plain rows back."""

from __future__ import annotations

from datetime import datetime

from srochno.db import Connection, Record

USER_COLUMNS = (
    "id, username, first_name, last_name, language_code, photo_url, is_premium, is_banned, "
    "balance, completed_orders_count, rating_sum, reviews_count, complaints_count, "
    "subscribed_categories, subscribed_cities, notification_frequency, created_at, updated_at, "
    "allows_write_to_pm, bot_blocked, needs_start, bot_started, verified_phone, "
    "area_lat, area_lon, area_radius_km, on_duty_until, email"
)
PROFILE_COLUMNS = (
    "username",
    "first_name",
    "last_name",
    "language_code",
    "photo_url",
    "is_premium",
    "allows_write_to_pm",
)
"""Columns Telegram's profile fills, in the order of :data:`UPSERT_USER`'s parameters."""

SELECT_USER = f"SELECT {USER_COLUMNS} FROM users WHERE id = $1"
# initData saying ``allows_write_to_pm`` clears both write flags (SPEC §21). The permission
# is only ever raised here: an initData issued before the user allowed writing (the Mini
# App's session goes on with it) does not take it back; a block shows as a 403.
UPSERT_USER = (
    "INSERT INTO users (id, username, first_name, last_name, language_code, photo_url, "
    "is_premium, allows_write_to_pm, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) "
    "ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, "
    "first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name, "
    "language_code = EXCLUDED.language_code, photo_url = EXCLUDED.photo_url, "
    "is_premium = EXCLUDED.is_premium, "
    "allows_write_to_pm = users.allows_write_to_pm OR EXCLUDED.allows_write_to_pm, "
    "bot_blocked = users.bot_blocked AND NOT EXCLUDED.allows_write_to_pm, "
    "needs_start = users.needs_start AND NOT EXCLUDED.allows_write_to_pm, "
    f"updated_at = EXCLUDED.updated_at RETURNING {USER_COLUMNS}"
)
SET_PREFERENCES = (
    "UPDATE users SET subscribed_categories = $2, subscribed_cities = $3, updated_at = $4 "
    f"WHERE id = $1 RETURNING {USER_COLUMNS}"
)
SET_FREQUENCY = (
    "UPDATE users SET notification_frequency = $2, updated_at = $3 "
    f"WHERE id = $1 RETURNING {USER_COLUMNS}"
)
# A work area replaced or cleared ($2..$4 all NULL: no area, and so off duty).
SET_AREA = (
    "UPDATE users SET area_lat = $2, area_lon = $3, area_radius_km = $4, "
    "on_duty_until = CASE WHEN $2::float8 IS NULL THEN NULL ELSE on_duty_until END, "
    f"updated_at = $5 WHERE id = $1 RETURNING {USER_COLUMNS}"
)
# On duty until $2 (NULL: off); only with a work area (the CHECK-free rule: NULL back).
SET_DUTY = (
    "UPDATE users SET on_duty_until = $2, updated_at = $3 "
    f"WHERE id = $1 AND ($2::timestamptz IS NULL OR area_lat IS NOT NULL) RETURNING {USER_COLUMNS}"
)
SELECT_BALANCE = "SELECT balance FROM users WHERE id = $1"
# A user met by the bot (a command, a payment) before the Mini App: created with the profile
# Telegram gives; an existing row is left as it is (initData refreshes it).
ENSURE_USER = (
    "INSERT INTO users (id, username, first_name, last_name, language_code, photo_url, "
    "is_premium, allows_write_to_pm, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (id) DO NOTHING"
)
# The user wrote to the bot in private (/start or any message): the bot may write back.
MET_IN_PRIVATE = (
    "UPDATE users SET bot_started = true, bot_blocked = false, needs_start = false, "
    "updated_at = $2 WHERE id = $1 AND NOT (bot_started AND NOT bot_blocked AND NOT needs_start) "
    "RETURNING true"
)
# The Mini App's requestWriteAccess() was granted (the user's say: a false claim only makes
# the bot try, and Telegram refuse, again).
ALLOW_WRITING = (
    "UPDATE users SET allows_write_to_pm = true, bot_blocked = false, needs_start = false, "
    f"updated_at = $2 WHERE id = $1 RETURNING {USER_COLUMNS}"
)
SET_VERIFIED_PHONE = (
    "UPDATE users SET verified_phone = $2, updated_at = $3 "
    "WHERE id = $1 AND verified_phone IS DISTINCT FROM $2"
)
SET_BOT_BLOCKED = (
    "UPDATE users SET bot_blocked = $2, updated_at = $3 WHERE id = $1 AND bot_blocked <> $2"
)
COUNT_COMPLETED = (
    "UPDATE users SET completed_orders_count = completed_orders_count + 1 WHERE id = $1"
)
ADD_RATING = (
    "UPDATE users SET rating_sum = rating_sum + $2, reviews_count = reviews_count + 1 WHERE id = $1"
)
COUNT_COMPLAINT = "UPDATE users SET complaints_count = complaints_count + 1 WHERE id = $1"


async def find_user(conn: Connection, user_id: int) -> Record | None:
    return await conn.fetchrow(SELECT_USER, user_id)


async def upsert_user(
    conn: Connection, user_id: int, profile: tuple[object, ...], now: datetime
) -> Record:
    row = await conn.fetchrow(UPSERT_USER, user_id, *profile, now)
    assert row is not None
    return row


async def set_preferences(
    conn: Connection, user_id: int, categories: list[str], cities: list[str], now: datetime
) -> Record:
    row = await conn.fetchrow(SET_PREFERENCES, user_id, categories, cities, now)
    assert row is not None
    return row


async def set_area(
    conn: Connection,
    user_id: int,
    area: tuple[float, float, float] | None,
    now: datetime,
) -> Record:
    lat, lon, radius = area if area is not None else (None, None, None)
    row = await conn.fetchrow(SET_AREA, user_id, lat, lon, radius, now)
    assert row is not None
    return row


async def set_duty(
    conn: Connection, user_id: int, until: datetime | None, now: datetime
) -> Record | None:
    """The user on duty until ``until`` (None: off); None back when there is no work area."""
    return await conn.fetchrow(SET_DUTY, user_id, until, now)


async def set_frequency(conn: Connection, user_id: int, frequency: str, now: datetime) -> Record:
    row = await conn.fetchrow(SET_FREQUENCY, user_id, frequency, now)
    assert row is not None
    return row


async def balance_of(conn: Connection, user_id: int) -> int:
    balance: int | None = await conn.fetchval(SELECT_BALANCE, user_id)
    return balance or 0


async def ensure_user(
    conn: Connection, user_id: int, profile: tuple[object, ...], now: datetime
) -> None:
    """Create the user unless it exists; ``profile`` in :data:`PROFILE_COLUMNS` order."""
    await conn.execute(ENSURE_USER, user_id, *profile, now)


async def set_bot_blocked(conn: Connection, user_id: int, blocked: bool, now: datetime) -> None:
    await conn.execute(SET_BOT_BLOCKED, user_id, blocked, now)


async def met_in_private(conn: Connection, user_id: int, now: datetime) -> bool:
    """Mark the user as one the bot may write to; True when that changed anything."""
    return await conn.fetchval(MET_IN_PRIVATE, user_id, now) is not None


async def allow_writing(conn: Connection, user_id: int, now: datetime) -> Record:
    row = await conn.fetchrow(ALLOW_WRITING, user_id, now)
    assert row is not None
    return row


async def set_verified_phone(conn: Connection, user_id: int, phone: str, now: datetime) -> None:
    await conn.execute(SET_VERIFIED_PHONE, user_id, phone, now)


async def count_completed(conn: Connection, user_id: int) -> None:
    await conn.execute(COUNT_COMPLETED, user_id)


async def add_rating(conn: Connection, user_id: int, rating: int) -> None:
    await conn.execute(ADD_RATING, user_id, rating)


async def count_complaint(conn: Connection, user_id: int) -> None:
    await conn.execute(COUNT_COMPLAINT, user_id)


SET_BANNED = (
    "UPDATE users SET is_banned = $2, updated_at = $3 WHERE id = $1 AND is_banned <> $2 "
    f"RETURNING {USER_COLUMNS}"
)


async def set_banned(conn: Connection, user_id: int, banned: bool, now: datetime) -> Record | None:
    """The user with ``is_banned`` changed, or None when it already had that value."""
    return await conn.fetchrow(SET_BANNED, user_id, banned, now)


ADD_STRIKE = (
    "UPDATE users SET strikes = strikes + 1, updated_at = $2 WHERE id = $1 "
    "RETURNING strikes, is_banned"
)


async def add_strike(conn: Connection, user_id: int, now: datetime) -> Record | None:
    """One more strike; the user's strikes and ban flag after it (None: no such user)."""
    return await conn.fetchrow(ADD_STRIKE, user_id, now)


RECEIPT_EMAIL = "SELECT coalesce(receipt_email, email) FROM users WHERE id = $1"
KEEP_RECEIPT_EMAIL = (
    "UPDATE users SET receipt_email = $2 WHERE id = $1 AND receipt_email IS DISTINCT FROM $2"
)


async def receipt_email(conn: Connection, user_id: int) -> str | None:
    """Where the user's payment receipts go: the address given for them (asked once, then
    kept), else the account's verified address (a web account's sign-in address)."""
    value: str | None = await conn.fetchval(RECEIPT_EMAIL, user_id)
    return value


async def keep_receipt_email(conn: Connection, user_id: int, email: str) -> None:
    await conn.execute(KEEP_RECEIPT_EMAIL, user_id, email)
