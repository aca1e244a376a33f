"""Errors of the bot's webhook."""

from __future__ import annotations

from srochno.errors import AppError


class WebhookForbidden(AppError):
    status = 401
    code = "webhook_forbidden"
    message = "Wrong or missing X-Telegram-Bot-Api-Secret-Token"


class BotNotConfigured(AppError):
    status = 503
    code = "bot_not_configured"
    message = "No Telegram bot token is configured"
