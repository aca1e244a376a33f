"""Handling one update, once: the inbox row and the update's effects in one transaction,
then the Bot API calls the handlers decided. The webhook and the poller share it."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError

from srochno import clock
from srochno.bot import repository
from srochno.bot.outbox import Outbox
from srochno.config import Settings
from srochno.db import Database

logger = logging.getLogger(__name__)


def update_kind(update: Update) -> str:
    try:
        return update.event_type[:32]
    except UpdateTypeLookupError:
        return "unknown"


async def handle_update(
    db: Database, bot: Bot, dispatcher: Dispatcher, settings: Settings, update: Update
) -> bool:
    """Handle ``update`` unless it was handled before; False for a redelivery.

    A handler's error rolls the transaction back (the inbox row included) and propagates,
    so the update is delivered again. The outbox is sent only after the commit.
    """
    outbox = Outbox()
    async with db.transaction() as conn:
        if not await repository.record_update(
            conn, update.update_id, update_kind(update), clock.now()
        ):
            logger.info("update redelivered: ignored", extra={"update_id": update.update_id})
            return False
        await dispatcher.feed_update(bot, update, conn=conn, settings=settings, outbox=outbox)
    await outbox.send(bot)
    return True
