"""Sharing an order (SPEC §21): a message prepared by the bot (``savePreparedInlineMessage``)
that the Mini App hands to ``WebApp.shareMessage``. It carries the order's public card and a
button that launches the Mini App on the order, never the contact."""

from __future__ import annotations

import logging
from typing import TypedDict

from aiogram import Bot
from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    PreparedInlineMessage,
)

from srochno import clock
from srochno.catalog import CATEGORIES
from srochno.config import Settings
from srochno.db import UnitOfWork
from srochno.enums import OrderStatus
from srochno.errors import AppError
from srochno.orders import repository
from srochno.orders.errors import OrderNotActive
from srochno.orders.guards import visible
from srochno.orders.presenter import status_at
from srochno.telegram.errors import BOT_API_FAILURES
from srochno.telegram.links import order_startapp_link
from srochno.telegram.texts import escape

logger = logging.getLogger(__name__)

DESCRIPTION_LIMIT = 600


class ShareUnavailable(AppError):
    status = 502
    code = "share_unavailable"
    message = "Telegram could not prepare the message, try again shortly"


class ShareView(TypedDict):
    prepared_message_id: str
    url: str


def public_card(category: str, city: str, description: str) -> str:
    """The order as anybody may see it (HTML): category, city, description."""
    text = description if len(description) <= DESCRIPTION_LIMIT else description[:599] + "…"
    name = CATEGORIES.get(category, category)
    return f"⚡ <b>{escape(name)}</b>, {escape(city)}\n{escape(text)}"


async def app_link(bot: Bot, settings: Settings) -> str:
    """``TELEGRAM_APP_LINK``, or the bot's own link (its main Mini App)."""
    if settings.telegram_app_link:
        return settings.telegram_app_link
    me = await bot.me()
    return f"https://t.me/{me.username}"


async def share_order(
    work: UnitOfWork, bot: Bot, settings: Settings, user_id: int, order_id: str
) -> ShareView:
    """A prepared message for ``user_id`` to share: the order is read, the connection given
    back, then Telegram is asked (nothing is written: a retry prepares another message)."""
    conn = await work.connection()
    order = visible(await repository.find_order(conn, order_id, user_id), user_id)
    if status_at(order, clock.now(), settings.no_response_timeout) != OrderStatus.active:
        raise OrderNotActive()
    await work.commit_and_release()
    category: str = order["category"]
    card = public_card(category, order["city"], order["description"])
    try:
        url = order_startapp_link(await app_link(bot, settings), order_id)
        button = InlineKeyboardButton(text="Открыть заказ · Open", url=url)
        prepared = await bot.save_prepared_inline_message(
            user_id=user_id,
            result=InlineQueryResultArticle(
                id=f"order_{order_id}",
                title=CATEGORIES.get(category, category),
                description=order["city"],
                input_message_content=InputTextMessageContent(
                    message_text=card,
                    parse_mode="HTML",
                ),
                reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
            ),
            allow_user_chats=True,
            allow_group_chats=True,
            allow_channel_chats=True,
        )
    except BOT_API_FAILURES as error:
        logger.warning("savePreparedInlineMessage failed: %s", type(error).__name__)
        raise ShareUnavailable() from error
    # Any other answer (a session that does not parse it, a stand-in's ``true``) is no
    # prepared message either: the client is told to retry, never a 500.
    if not isinstance(prepared, PreparedInlineMessage) or not isinstance(prepared.id, str):
        logger.warning("savePreparedInlineMessage answered %s", type(prepared).__name__)
        raise ShareUnavailable()
    return {"prepared_message_id": prepared.id, "url": url}
