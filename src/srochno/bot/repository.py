"""The bot's SQL: the inbox of updates."""

from __future__ import annotations

from datetime import datetime

from srochno.db import Connection

# Written in the transaction of the update's effects. A redelivered copy waits on the key
# until the first copy commits, then finds the row and does nothing; if the first copy
# rolled back, the redelivery is handled as new.
RECORD_UPDATE = (
    "INSERT INTO telegram_updates (update_id, kind, received_at) VALUES ($1, $2, $3) "
    "ON CONFLICT (update_id) DO NOTHING RETURNING update_id"
)


async def record_update(conn: Connection, update_id: int, kind: str, now: datetime) -> bool:
    """True when the update is new (and now recorded), False for a redelivery."""
    return await conn.fetchval(RECORD_UPDATE, update_id, kind, now) is not None


REJECTED = "rejected"
"""The inbox kind of an update whose content can never be handled (an impossible payment,
a value beyond its column): answered 200, kept here, changing nothing else."""
MARK_REJECTED = f"UPDATE telegram_updates SET kind = '{REJECTED}' WHERE update_id = $1"


async def mark_rejected(conn: Connection, update_id: int) -> None:
    await conn.execute(MARK_REJECTED, update_id)
