"""Errors of the bot's webhook, and what a failed Bot API call raises."""

from __future__ import annotations

from aiogram.exceptions import AiogramError
from pydantic import ValidationError

from srochno.errors import AppError

BOT_API_FAILURES: tuple[type[Exception], ...] = (AiogramError, ValidationError, TimeoutError)
"""A Bot API call that failed: Telegram refused or was unreachable (aiogram's
``TelegramAPIError``), answered what aiogram cannot read (``ClientDecodeError``, a pydantic
``ValidationError``), or did not answer in time."""


class WebhookForbidden(AppError):
    status = 401
    code = "webhook_forbidden"
    message = "Wrong or missing X-Telegram-Bot-Api-Secret-Token"


class BotNotConfigured(AppError):
    status = 503
    code = "bot_not_configured"
    message = "No Telegram bot token is configured"
