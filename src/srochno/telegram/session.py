"""The Bot API session of the generated development token: nothing is sent to Telegram.

Every call is logged and answered with a plausible result, so the whole service (invoices,
commands, ``srochno bot setup``) runs without a real bot.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast

from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    Chat,
    Message,
    PreparedInlineMessage,
    StarTransactions,
    User,
    WebhookInfo,
)

if TYPE_CHECKING:
    from aiogram import Bot

logger = logging.getLogger(__name__)

DEV_INVOICE_URL = "https://t.me/$srochno-dev-invoice-"
DEV_BOT_USERNAME = "srochno_dev_bot"
PREPARED_MESSAGE_LIFETIME = 24 * 3600  # Telegram keeps a prepared message for a day


class DevSession(BaseSession):
    """Logs each call instead of making it; answers what Telegram would."""

    def __init__(self) -> None:
        super().__init__()
        self._message_ids = itertools.count(1)
        self._prepared_ids = itertools.count(1)

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 (aiogram's signature)
    ) -> TelegramType:
        name = method.__api_method__
        files: dict[str, Any] = {}
        params = {
            key: prepared
            for key, value in method.model_dump(warnings=False).items()
            if (prepared := self.prepare_value(value, bot=bot, files=files, _dumps_json=False))
            is not None
        }
        logger.info(
            "development bot token: %s not sent to Telegram",
            name,
            extra={"bot_method": name, "bot_params": params},
        )
        return cast(TelegramType, self._result(bot, name, params))

    def _result(self, bot: Bot, name: str, params: dict[str, Any]) -> Any:
        if name == "sendMessage":
            return Message(
                message_id=next(self._message_ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(params["chat_id"]), type="private"),
                text=params.get("text"),
            )
        if name == "createInvoiceLink":
            return DEV_INVOICE_URL + str(params.get("payload", ""))
        if name == "getMe":
            return User(
                id=bot.id,
                is_bot=True,
                first_name="Srochno (development)",
                username=DEV_BOT_USERNAME,
            )
        if name == "savePreparedInlineMessage":
            return PreparedInlineMessage(
                id=f"dev-prepared-{next(self._prepared_ids)}",
                expiration_date=int(datetime.now(UTC).timestamp()) + PREPARED_MESSAGE_LIFETIME,
            )
        if name == "getStarTransactions":
            return StarTransactions(transactions=[])
        if name == "getUpdates":
            return []
        if name == "getWebhookInfo":
            return WebhookInfo(url="", has_custom_certificate=False, pending_update_count=0)
        return True  # setWebhook, sendChatAction, answerPreCheckoutQuery, refunds, …

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109 (aiogram's signature)
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""
