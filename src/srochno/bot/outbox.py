"""Bot API calls made once the transaction that decided them has committed.

Handlers never call Telegram themselves: they add the calls to the update's :class:`Outbox`,
and the caller sends them after the commit, in order, still inside the webhook request (a
pre-checkout query is answered within Telegram's ten seconds). A rolled-back update sends
nothing; a call that fails is logged and not retried (at most once: the durable queue of
the notifications will make messages survive a crash).
"""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod

from srochno.telegram.errors import BOT_API_FAILURES

logger = logging.getLogger(__name__)


class Outbox:
    def __init__(self) -> None:
        self.methods: list[TelegramMethod[Any]] = []

    def add(self, method: TelegramMethod[Any]) -> None:
        self.methods.append(method)

    async def send(self, bot: Bot) -> int:
        """Make every call; the number that failed."""
        failed = 0
        for method in self.methods:
            try:
                await bot(method)
            except BOT_API_FAILURES as error:
                failed += 1
                logger.warning(
                    "bot call failed: %s: %s",
                    method.__api_method__,
                    type(error).__name__,
                    extra={"bot_method": method.__api_method__, "error": type(error).__name__},
                )
        self.methods.clear()
        return failed
