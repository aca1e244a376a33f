"""Handling one update, once: the inbox row and the update's effects in one transaction,
then the Bot API calls the handlers decided. The webhook and the poller share it."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.enums import ChatType
from aiogram.types import Update
from aiogram.types.update import UpdateTypeLookupError

from srochno import clock
from srochno.bot import repository
from srochno.bot.outbox import Outbox
from srochno.config import Settings
from srochno.db import Connection, Database
from srochno.enums import BIGINT_MAX
from srochno.users.service import met_in_private

logger = logging.getLogger(__name__)

DATA_EXCEPTION = "22"
"""SQLSTATE class of a value the database cannot take (out of range, too long): the
update carries it and will carry it on every redelivery."""


def is_hopeless(error: BaseException) -> bool:
    """True when the update itself made the statement fail, so handling it again never
    succeeds (a value beyond its column's type)."""
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and sqlstate.startswith(DATA_EXCEPTION)


async def _met_in_private(conn: Connection, update: Update) -> None:
    """Any private message (``/start`` included) lets the bot write to its sender again."""
    message = update.message
    if message is None or message.chat.type != ChatType.PRIVATE:
        return
    sender = message.from_user
    if sender is not None and not sender.is_bot:
        await met_in_private(conn, sender, clock.now())


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
    so the update is delivered again, unless the update itself can never be handled (an
    ``update_id`` beyond BIGINT, a value its column cannot take): that one is recorded as
    rejected, with no other effect, and answered as handled. The outbox is sent only after
    the commit.
    """
    if not 0 <= update.update_id <= BIGINT_MAX:
        logger.warning("update rejected: update_id out of range")
        return False
    outbox = Outbox()
    try:
        async with db.transaction() as conn:
            if not await repository.record_update(
                conn, update.update_id, update_kind(update), clock.now()
            ):
                logger.info("update redelivered: ignored", extra={"update_id": update.update_id})
                return False
            await _met_in_private(conn, update)
            await dispatcher.feed_update(bot, update, conn=conn, settings=settings, outbox=outbox)
    except Exception as error:
        if not is_hopeless(error):
            raise
        logger.warning(
            "update rejected: %s", type(error).__name__, extra={"update_id": update.update_id}
        )
        async with db.transaction() as conn:
            await repository.record_update(conn, update.update_id, repository.REJECTED, clock.now())
        return False
    await outbox.send(bot)
    return True
