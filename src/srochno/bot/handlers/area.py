"""The work area from a shared location: ``/area`` offers a keyboard button that asks
Telegram for the location (``request_location``); a location message (that button, or the
attachment menu) becomes the sender's work area, keeping the radius already chosen."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove
from pydantic import ValidationError

from srochno import clock
from srochno.bot.outbox import Outbox
from srochno.config import Settings
from srochno.db import Connection
from srochno.telegram import texts
from srochno.users import service as users
from srochno.users.schemas import WorkArea
from srochno.users.service import ensure_user

logger = logging.getLogger(__name__)


def _language(message: Message) -> texts.Language:
    user = message.from_user
    return texts.language(user.language_code if user is not None else None)


async def ask_location(message: Message, outbox: Outbox) -> None:
    lang = _language(message)
    keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=texts.share_location_button(lang), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    outbox.add(message.answer(texts.ask_location(lang), reply_markup=keyboard))


async def take_location(
    message: Message, conn: Connection, settings: Settings, outbox: Outbox
) -> None:
    location = message.location
    sender = message.from_user
    if location is None or sender is None or message.chat.type != "private":
        return
    lang = _language(message)
    await ensure_user(conn, sender, clock.now())
    current = await users.get_user(conn, sender.id)
    radius = min(
        current.area_radius_km or settings.geo_default_radius_km, settings.geo_max_radius_km
    )
    try:
        area = WorkArea(lat=location.latitude, lon=location.longitude, radius_km=radius)
    except ValidationError:  # no point on Earth (Telegram sends none such): nothing to keep
        logger.warning("shared location ignored: not a point on Earth")
        return
    await users.set_work_area(conn, settings, sender.id, area)
    outbox.add(message.answer(texts.area_saved(lang, radius), reply_markup=ReplyKeyboardRemove()))


def router() -> Router:
    area = Router(name="area")
    area.message.register(ask_location, Command("area"))
    area.message.register(take_location, F.location)
    return area
