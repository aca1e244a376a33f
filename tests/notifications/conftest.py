"""Fixtures of the notification tests: subscribers written in SQL, a worker running on the
test's own event loop (so the clock can be moved), and a wait for an empty queue."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno import clock
from srochno.config import Settings
from srochno.worker.run import run_worker
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotAPI

DRAIN_TIMEOUT_SECONDS = 60.0

StartWorker = Callable[..., Awaitable[Settings]]


async def add_user(
    engine: AsyncEngine,
    user_id: int,
    *,
    categories: tuple[str, ...] = ("plumbing",),
    cities: tuple[str, ...] = ("москва",),
    frequency: str = "instant",
    banned: bool = False,
    blocked: bool = False,
    language_code: str | None = "ru",
    balance: int = 0,
) -> None:
    now = clock.now()
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, first_name, language_code, subscribed_categories, "
                "subscribed_cities, notification_frequency, is_banned, bot_blocked, balance, "
                "created_at, updated_at) VALUES (:id, :name, :lang, :categories, :cities, "
                ":frequency, :banned, :blocked, :balance, :now, :now)"
            ),
            {
                "id": user_id,
                "name": f"User{user_id}",
                "lang": language_code,
                "categories": list(categories),
                "cities": list(cities),
                "frequency": frequency,
                "banned": banned,
                "blocked": blocked,
                "balance": balance,
                "now": now,
            },
        )


async def queued_jobs(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT count(*) FROM pgqueuer"))).scalar_one())


async def drained(engine: AsyncEngine) -> None:
    """Wait until no job is queued or running (every message sent or given up)."""
    deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
    while await queued_jobs(engine):
        assert time.monotonic() < deadline, "the queue was not emptied in time"
        await asyncio.sleep(0.05)


async def delivery_statuses(engine: AsyncEngine) -> dict[tuple[str, int], str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT event_key, user_id, status FROM notification_deliveries")
        )
        return {(row.event_key, row.user_id): row.status for row in rows}


@pytest.fixture
async def start_worker(database_url: str, bot_api: FakeBotAPI) -> AsyncIterator[StartWorker]:
    """``await start_worker(**settings)``: a worker (consumers only) on this event loop."""
    tasks: list[asyncio.Task[None]] = []

    async def start(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "telegram_api_url": bot_api.url,
            "telegram_max_messages_per_second": 50,
            "notify_retry_seconds": 0.1,
            **overrides,
        }
        settings = make_settings(database_url, **values)
        tasks.append(asyncio.create_task(run_worker(settings, database_url, periodic=False)))
        return settings

    yield start
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
