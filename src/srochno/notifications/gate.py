"""The send gate shared by every worker process, kept in PostgreSQL.

* Global rate: ``notification_gate.next_at`` is the next free send slot. A sender takes
  the row's lock, takes the slot ``max(next_at, now, paused_until)`` and moves ``next_at``
  one interval (``1 / TELEGRAM_MAX_MESSAGES_PER_SECOND``) on, then sleeps until its slot:
  slots are handed out one interval apart whatever the number of processes.
* Per chat: ``notification_chats.next_at``. Taking a slot leases the chat for
  :data:`CHAT_LEASE` (nobody else sends to it meanwhile); once the call is answered the
  chat is free again :data:`CHAT_GAP` later. A chat still leased is waited for without
  taking a global slot, so one busy chat never wastes the global rate.
* 429: ``paused_until`` moves to ``now + retry_after``; every sender checks it after its
  sleep, before calling, and takes a new slot after the pause.
* A sender that wakes more than :data:`LATE_SECONDS` after its slot takes a new one: a
  stalled process never sends a burst of overdue messages.

Times are the database's ``clock_timestamp()``: processes on different hosts agree.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from srochno.db import Connection, Database

CHAT_GAP_SECONDS = 1.05
"""Between the answer to one message and the start of the next one to the same chat."""
CHAT_LEASE_SECONDS = 60.0
"""How long a chat stays reserved by a sender that died before releasing it."""
CHAT_POLL_SECONDS = 0.25
"""How long a sender waits before looking again at a chat someone else is sending to."""
LATE_SECONDS = 0.05
"""A sender that wakes up later than this after its slot (a stalled process) does not
send in it: late sends would bunch up with punctual ones above the rate. It takes a new
slot instead."""

LOCK_GATE = """
SELECT greatest(next_at, paused_until, clock_timestamp()) AS slot_at, clock_timestamp() AS now
FROM notification_gate WHERE id = 1 FOR UPDATE
"""
CHAT_NEXT = "SELECT next_at FROM notification_chats WHERE chat_id = $1"
TAKE_SLOT = """
UPDATE notification_gate SET next_at = $1::timestamptz + make_interval(secs => $2) WHERE id = 1
"""
LEASE_CHAT = """
INSERT INTO notification_chats (chat_id, next_at)
VALUES ($1, $2::timestamptz + make_interval(secs => $3))
ON CONFLICT (chat_id) DO UPDATE SET next_at = EXCLUDED.next_at
"""
RELEASE_CHAT = """
UPDATE notification_chats SET next_at = clock_timestamp() + make_interval(secs => $2)
WHERE chat_id = $1
"""
UNLEASE_CHAT = "UPDATE notification_chats SET next_at = clock_timestamp() WHERE chat_id = $1"
STILL_ON_TIME = """
SELECT paused_until <= clock_timestamp()
       AND clock_timestamp() <= $1::timestamptz + make_interval(secs => $2)
FROM notification_gate WHERE id = 1
"""
PAUSE = """
UPDATE notification_gate
SET paused_until = greatest(paused_until, clock_timestamp() + make_interval(secs => $1)),
    next_at = greatest(next_at, clock_timestamp() + make_interval(secs => $1))
WHERE id = 1
"""


@dataclass(frozen=True, slots=True)
class Reservation:
    slot: bool
    """True: a global slot is ours (and the chat is leased); False: the chat is busy."""
    wait: float
    """Seconds until the slot, or until the chat should be looked at again."""
    at: datetime | None = None
    """The slot's time (the database's clock)."""


async def reserve(conn: Connection, chat_id: int, per_second: float) -> Reservation:
    async with conn.transaction():
        gate = await conn.fetchrow(LOCK_GATE)
        assert gate is not None, "the migration writes the gate's row"
        slot_at, now = gate["slot_at"], gate["now"]
        chat_at = await conn.fetchval(CHAT_NEXT, chat_id)
        if chat_at is not None and chat_at > slot_at:
            wait = min((chat_at - now).total_seconds(), CHAT_POLL_SECONDS)
            return Reservation(slot=False, wait=wait)
        await conn.execute(TAKE_SLOT, slot_at, 1.0 / per_second)
        await conn.execute(LEASE_CHAT, chat_id, slot_at, CHAT_LEASE_SECONDS)
    return Reservation(slot=True, wait=max(0.0, (slot_at - now).total_seconds()), at=slot_at)


async def release(conn: Connection, chat_id: int) -> None:
    await conn.execute(RELEASE_CHAT, chat_id, CHAT_GAP_SECONDS)


async def pause(conn: Connection, seconds: float) -> None:
    await conn.execute(PAUSE, seconds)


async def wait_for_slot(db: Database, chat_id: int, per_second: float) -> None:
    """Return once this process may send one message to ``chat_id`` now (the chat leased
    to it until :func:`release`). No connection is held while sleeping."""
    while True:
        async with db.connection() as conn:
            reservation = await reserve(conn, chat_id, per_second)
        if reservation.wait > 0:
            await asyncio.sleep(reservation.wait)
        if not reservation.slot:
            continue
        async with db.connection() as conn:
            # A 429 since the slot was taken, or woken up too late: a new slot.
            if not await conn.fetchval(STILL_ON_TIME, reservation.at, LATE_SECONDS):
                await conn.execute(UNLEASE_CHAT, chat_id)
                continue
        return
