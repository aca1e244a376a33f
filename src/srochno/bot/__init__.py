"""The Telegram bot's update handling (aiogram 3): the webhook, the dispatcher and its
handlers, the inbox and outbox, polling and setup. The Bot API kit is ``telegram/``."""
