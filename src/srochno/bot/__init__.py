"""The Telegram bot (aiogram 3): the webhook, the dispatcher and its handlers, the texts."""
