"""The one :class:`aiogram.Bot` of a process, pointed at ``TELEGRAM_API_URL``."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode

from srochno.config import Settings
from srochno.telegram.session import DevSession

BOT_API_TIMEOUT_SECONDS = 10.0
"""A Bot API call that gets no answer for this long fails (the webhook request, an invoice
or a refund waits no longer)."""


def create_bot(settings: Settings) -> Bot | None:
    """The bot of the configured token (None in third-party mode, without a token). With
    the generated development token, calls are logged instead of sent."""
    token = settings.telegram_bot_token
    if not token:
        return None
    default = DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True)
    if settings.uses_generated_token:
        return Bot(token, session=DevSession(), default=default)
    session = AiohttpSession(
        api=TelegramAPIServer.from_base(settings.telegram_api_url),
        timeout=BOT_API_TIMEOUT_SECONDS,
    )
    return Bot(token, session=session, default=default)
