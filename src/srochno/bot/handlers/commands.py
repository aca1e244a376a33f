"""/start, /balance, /help, /paysupport, /terms."""

from __future__ import annotations

import re

from aiogram import Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from srochno import clock
from srochno.bot.outbox import Outbox
from srochno.config import Settings
from srochno.db import Connection
from srochno.telegram import texts
from srochno.telegram.links import app_keyboard
from srochno.users import repository as users
from srochno.users.service import ensure_user

ORDER_START = re.compile(r"order_([A-Za-z0-9_-]{1,12})")
"""``/start order_<id>``: the deep link ``t.me/<bot>?start=order_<id>`` of an order."""


def _language(message: Message) -> texts.Language:
    user = message.from_user
    return texts.language(user.language_code if user is not None else None)


async def start(
    message: Message, command: CommandObject, conn: Connection, settings: Settings, outbox: Outbox
) -> None:
    lang = _language(message)
    if message.from_user is not None:
        await ensure_user(conn, message.from_user, clock.now())
    match = ORDER_START.fullmatch(command.args or "")
    if match is not None:
        order_id = match.group(1)
        text = texts.open_order(lang, order_id)
        keyboard = app_keyboard(
            texts.open_order_button(lang),
            settings.webapp_base_url,
            settings.telegram_app_link,
            order_id,
        )
    else:
        first_name = message.from_user.first_name if message.from_user is not None else None
        text = texts.welcome(lang, first_name)
        keyboard = app_keyboard(texts.open_app_button(lang), settings.webapp_base_url, None)
    outbox.add(message.answer(text, reply_markup=keyboard))


async def balance(message: Message, conn: Connection, outbox: Outbox) -> None:
    amount = 0
    if message.from_user is not None:
        amount = await users.balance_of(conn, message.from_user.id)
    outbox.add(message.answer(texts.balance(_language(message), amount)))


async def help_command(message: Message, settings: Settings, outbox: Outbox) -> None:
    text = texts.help_text(
        _language(message),
        settings.take_price,
        settings.max_executors_per_order,
        settings.support_contact,
    )
    outbox.add(message.answer(text))


async def paysupport(message: Message, settings: Settings, outbox: Outbox) -> None:
    text = texts.paysupport(_language(message), settings.stars_rub_rate, settings.support_contact)
    outbox.add(message.answer(text))


async def terms(message: Message, settings: Settings, outbox: Outbox) -> None:
    outbox.add(message.answer(texts.terms(_language(message), settings.take_price)))


def router() -> Router:
    commands = Router(name="commands")
    commands.message.register(start, CommandStart())
    commands.message.register(balance, Command("balance"))
    commands.message.register(help_command, Command("help"))
    commands.message.register(paysupport, Command("paysupport"))
    commands.message.register(terms, Command("terms"))
    return commands
