"""SQL of ``push_subscriptions``: the only writer of the table."""

from __future__ import annotations

from datetime import datetime

from srochno.db import Connection, Record

LOCK_USER = "SELECT 1 FROM users WHERE id = $1 FOR UPDATE"
# A device is one account's: the endpoint subscribed again (a renewal, or another account
# signed in on that browser) moves to the account that sent it, with its new keys.
UPSERT = """
INSERT INTO push_subscriptions (user_id, endpoint, p256dh, auth, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $5)
ON CONFLICT (endpoint) DO UPDATE
    SET user_id = EXCLUDED.user_id, p256dh = EXCLUDED.p256dh, auth = EXCLUDED.auth,
        updated_at = EXCLUDED.updated_at
RETURNING id, created_at, updated_at
"""
TRIM = """
DELETE FROM push_subscriptions WHERE id IN (
    SELECT id FROM push_subscriptions WHERE user_id = $1
    ORDER BY updated_at DESC, id DESC OFFSET $2
)
"""
REMOVE = "DELETE FROM push_subscriptions WHERE user_id = $1 AND endpoint = $2"
REMOVE_GONE = "DELETE FROM push_subscriptions WHERE id = $1 AND endpoint = $2"
COUNT = "SELECT count(*) FROM push_subscriptions WHERE user_id = $1"


async def subscribe(
    conn: Connection,
    user_id: int,
    endpoint: str,
    p256dh: str,
    auth: str,
    now: datetime,
    max_devices: int,
) -> Record:
    """Add or renew a device; past ``max_devices`` the least recently renewed go. The
    user's row is locked first: two devices subscribing at once trim in turn."""
    await conn.execute(LOCK_USER, user_id)
    row = await conn.fetchrow(UPSERT, user_id, endpoint, p256dh, auth, now)
    assert row is not None
    await conn.execute(TRIM, user_id, max_devices)
    return row


async def unsubscribe(conn: Connection, user_id: int, endpoint: str) -> None:
    await conn.execute(REMOVE, user_id, endpoint)


async def remove_gone(conn: Connection, device: int, endpoint: str) -> None:
    """The push service said the subscription is gone (404/410): forget it. Only the
    endpoint that was refused (a renewal since has another one)."""
    await conn.execute(REMOVE_GONE, device, endpoint)


async def count(conn: Connection, user_id: int) -> int:
    return int(await conn.fetchval(COUNT, user_id))
