"""Every retention rule, of every domain with rows to forget, and the clean-up that
applies them (run by the ticker at most once an hour, in small batches)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from srochno import clock
from srochno.config import Settings
from srochno.db import Database
from srochno.ratelimit import LONGEST_WINDOW_SECONDS

CLEANUP_BATCH = 5000


@dataclass(frozen=True, slots=True)
class Cleanup:
    """Rows of ``table`` whose ``column`` is older than ``retention(settings)`` go."""

    name: str
    table: str
    column: str
    retention: Callable[[Settings], timedelta]

    @property
    def sql(self) -> str:
        return (
            f"DELETE FROM {self.table} WHERE ctid IN "
            f"(SELECT ctid FROM {self.table} WHERE {self.column} < $1 LIMIT $2)"
        )


def _inbox(settings: Settings) -> timedelta:
    return timedelta(days=settings.inbox_retention_days)


def _deliveries(settings: Settings) -> timedelta:
    return timedelta(days=settings.delivery_retention_days)


def _chats(settings: Settings) -> timedelta:
    return timedelta(days=1)


def _events(settings: Settings) -> timedelta:
    return timedelta(hours=settings.order_events_retention_hours)


def _windows(settings: Settings) -> timedelta:
    return timedelta(seconds=LONGEST_WINDOW_SECONDS)


def _expired(settings: Settings) -> timedelta:
    return timedelta(0)


def _links(settings: Settings) -> timedelta:
    return timedelta(days=1)


CLEANUPS: tuple[Cleanup, ...] = (
    Cleanup("bot inbox", "telegram_updates", "received_at", _inbox),
    Cleanup("notification deliveries", "notification_deliveries", "updated_at", _deliveries),
    Cleanup("notification runs", "notification_runs", "created_at", _deliveries),
    Cleanup("notification chats", "notification_chats", "next_at", _chats),
    Cleanup("finished jobs' log", "pgqueuer_log", "created", _deliveries),
    Cleanup("job statistics", "pgqueuer_statistics", "created", _deliveries),
    Cleanup("order events", "order_events", "created_at", _events),
    Cleanup("rate limit windows", "rate_limit_windows", "to_timestamp(window_start)", _windows),
    Cleanup("e-mail sign-in links", "email_sign_ins", "created_at", _links),
    Cleanup("expired web sessions", "web_sessions", "expires_at", _expired),
)
"""Every retention rule, of every domain with rows to forget."""


async def run_cleanups(
    db: Database, settings: Settings, now: datetime | None = None
) -> dict[str, int]:
    """Delete what every rule lets go, in batches (each its own short transaction)."""
    now = now or clock.now()
    deleted: dict[str, int] = {}
    for cleanup in CLEANUPS:
        cutoff = now - cleanup.retention(settings)
        total = 0
        while True:
            async with db.connection() as conn:
                status = await conn.execute(cleanup.sql, cutoff, CLEANUP_BATCH)
            count = int(status.split()[-1])
            total += count
            if count < CLEANUP_BATCH:
                break
        deleted[cleanup.name] = total
    return deleted
