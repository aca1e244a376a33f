"""``srochno bot poll``: updates by long polling, for development without a public URL.

The webhook is deleted first (Telegram allows one or the other). One poller at a time,
whatever the number of processes: a PostgreSQL advisory lock, held by a connection for as
long as the poller runs. Each update goes through the same inbox and handlers as the
webhook; one that fails is retried (in order) before the next is read.
"""

from __future__ import annotations

import asyncio
import logging

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.types import Update

from srochno.bot.dispatcher import ALLOWED_UPDATES
from srochno.bot.inbox import handle_update
from srochno.config import Settings
from srochno.db import Database
from srochno.telegram.client import BOT_API_TIMEOUT_SECONDS

logger = logging.getLogger(__name__)

POLL_LOCK_ID = 0x5370_6F63_686E_6F02
"""Any fixed 64-bit number: every ``srochno bot poll`` on one database competes for it."""
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)


class PollerBusy(RuntimeError):
    """Another poller holds the lock."""


async def poll(
    db: Database,
    bot: Bot,
    dispatcher: Dispatcher,
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    poll_seconds: int = 30,
) -> None:
    """Serve updates until ``stop`` is set (or the task is cancelled)."""
    stop = stop or asyncio.Event()
    async with db.connection() as lock:
        if not await lock.fetchval("SELECT pg_try_advisory_lock($1)", POLL_LOCK_ID):
            raise PollerBusy("another `srochno bot poll` is running on this database")
        try:
            await bot.delete_webhook(drop_pending_updates=False)
            logger.info("polling for updates (webhook deleted)")
            await _poll_loop(db, bot, dispatcher, settings, stop, poll_seconds)
        finally:
            await lock.execute("SELECT pg_advisory_unlock($1)", POLL_LOCK_ID)


async def _poll_loop(
    db: Database,
    bot: Bot,
    dispatcher: Dispatcher,
    settings: Settings,
    stop: asyncio.Event,
    poll_seconds: int,
) -> None:
    offset: int | None = None
    failures = 0
    while not stop.is_set():
        try:
            updates = await bot.get_updates(
                offset=offset,
                timeout=poll_seconds,
                allowed_updates=ALLOWED_UPDATES,
                request_timeout=int(poll_seconds + BOT_API_TIMEOUT_SECONDS),
            )
        except TelegramRetryAfter as error:
            await asyncio.sleep(error.retry_after)
            continue
        except (TelegramNetworkError, TelegramServerError) as error:
            failures += 1
            logger.warning("getUpdates failed: %s", error)
            await asyncio.sleep(RETRY_SECONDS[min(failures, len(RETRY_SECONDS)) - 1])
            continue
        failures = 0
        for update in updates:
            await _handle_until_done(db, bot, dispatcher, settings, update)
            offset = update.update_id + 1


async def _handle_until_done(
    db: Database, bot: Bot, dispatcher: Dispatcher, settings: Settings, update: Update
) -> None:
    attempt = 0
    while True:
        try:
            await handle_update(db, bot, dispatcher, settings, update)
            return
        except Exception:
            logger.exception("update failed, retrying", extra={"update_id": update.update_id})
            await asyncio.sleep(RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)])
            attempt += 1
