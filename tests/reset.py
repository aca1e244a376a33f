"""Emptying a test database between tests, as ``TRUNCATE … RESTART IDENTITY CASCADE`` would,
at a small fraction of its cost.

A TRUNCATE gives every table and index a new file and makes every connection to the
database (the app's pools, the servers a test started) reload what it knew of them; over
two thousand tests that was minutes of the servers' CPU. Here the tables that hold rows
are found with one query and emptied by ``DELETE`` with triggers off (the session's
replication role: no event, no derived-table trigger, no foreign-key check fires, as under
TRUNCATE), and the sequences a TRUNCATE would restart are set back to their start. What a
TRUNCATE guaranteed stays: the tables are locked as it locked them (in its order, waiting
for any transaction still writing), the tables that reference them are emptied too (its
CASCADE), and ``LIVE_TABLES`` keep their ids growing.

One connection per database, kept between tests and opened again if a test cut it.
"""

from __future__ import annotations

from typing import Self

import asyncpg

from srochno.db import plain_url

STABLE_ID_TABLES = (
    "admin_actions, admin_login_attempts, admin_sessions, admin_sign_ins, admin_users, "
    "order_reports, "
    "worker_heartbeats, "
    "complaints, reviews, ledger_entries, payment_charges, payments, topups, telegram_updates, "
    "email_sign_ins, web_sessions, push_subscriptions, "
    "takes, orders, users, notification_deliveries, notification_chats, notification_runs, "
    "pgqueuer, pgqueuer_log, pgqueuer_statistics"
)
"""Emptied with their ids restarting (a test's first user or order gets the first id)."""
LIVE_TABLES = "order_events, rate_limit_windows"
"""Emptied without restarting their ids: a running server's event listener remembers the
last event id it delivered, and ids must keep growing for it."""
TABLES = f"{STABLE_ID_TABLES}, {LIVE_TABLES}"
RESET_GATE = "UPDATE notification_gate SET next_at = now(), paused_until = now()"
"""Run on its own first: a server's worker may hold its row while it waits for a table the
reset locks."""

REFERENCING = """
WITH RECURSIVE closure(oid) AS (
    SELECT unnest($1::regclass[])::oid
    UNION
    SELECT c.conrelid FROM pg_constraint c JOIN closure ON c.confrelid = closure.oid
    WHERE c.contype = 'f'
)
SELECT oid::regclass::text FROM closure WHERE NOT oid = ANY($1::regclass[]::oid[])
ORDER BY 1
"""
"""The tables a TRUNCATE … CASCADE of ``$1`` empties besides them."""
OWNED_SEQUENCES = """
SELECT DISTINCT s.oid::regclass::text FROM pg_class s
JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i')
WHERE s.relkind = 'S' AND d.refobjid = ANY($1::regclass[]::oid[])
ORDER BY 1
"""
"""The sequences owned by columns of ``$1``: those RESTART IDENTITY restarts."""
RESTART = """
SELECT setval(seq, s.start_value, false)
FROM unnest($1::regclass[]) AS seq
JOIN pg_sequences s ON format('%I.%I', s.schemaname, s.sequencename)::regclass = seq
WHERE s.last_value IS NOT NULL
"""
"""Back to the start, for those used since (no write at all for the others)."""
CONNECTION_LOST = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError)


def names(tables: str) -> list[str]:
    return [name.strip() for name in tables.split(",")]


class DatabaseReset:
    """``await reset()``: the database as the migrations left it (``LIVE_TABLES``' ids
    apart)."""

    def __init__(self, url: str) -> None:
        self.url = plain_url(url)
        self.conn: asyncpg.Connection | None = None
        self.tables: list[str] = []
        self.probe = ""
        self.sequences: list[str] = []

    @classmethod
    async def open(cls, url: str) -> Self:
        reset = cls(url)
        await reset._connect()
        return reset

    async def _connect(self) -> asyncpg.Connection:
        conn = await asyncpg.connect(self.url)
        listed = names(LIVE_TABLES) + names(STABLE_ID_TABLES)
        cascaded = [row[0] for row in await conn.fetch(REFERENCING, listed)]
        self.tables = listed + cascaded
        self.probe = " UNION ALL ".join(
            f"(SELECT {index} FROM {table} LIMIT 1)" for index, table in enumerate(self.tables)
        )
        restarted = names(STABLE_ID_TABLES) + cascaded
        self.sequences = [row[0] for row in await conn.fetch(OWNED_SEQUENCES, restarted)]
        self.conn = conn
        return conn

    async def __call__(self) -> None:
        conn = self.conn
        if conn is None or conn.is_closed():
            conn = await self._connect()
        try:
            await self._reset(conn)
        except CONNECTION_LOST:
            # A test cut the database's connections: once more on a new one.
            self.terminate()
            await self._reset(await self._connect())

    async def _reset(self, conn: asyncpg.Connection) -> None:
        await conn.execute(RESET_GATE)
        async with conn.transaction():
            await conn.execute(
                f"LOCK TABLE {', '.join(self.tables)} IN ACCESS EXCLUSIVE MODE;"
                "SET LOCAL session_replication_role = replica"
            )
            full = [self.tables[row[0]] for row in await conn.fetch(self.probe)]
            if full:
                await conn.execute("; ".join(f"DELETE FROM {table}" for table in full))
            await conn.execute(RESTART, self.sequences)

    def terminate(self) -> None:
        if self.conn is not None:
            self.conn.terminate()
            self.conn = None

    async def close(self) -> None:
        if self.conn is not None and not self.conn.is_closed():
            await self.conn.close()
        self.conn = None
