"""Sending one message to one user about one event, at most once.

1. **Claim** (one transaction): the user is read (banned or ``bot_blocked``: skipped), an
   order's announcement is checked to be still takeable, and the delivery row
   ``(event_key, user_id)`` is inserted as ``sending``. A row already there (another
   worker, a redelivered job, a second fan-out) is never claimed again, except one left
   ``retry`` by a 5xx or network failure.
2. **Gate**: a global send slot and the chat's turn (:mod:`srochno.notifications.gate`).
3. **Call**: ``sendMessage``; the outcome is written on the delivery row: ``sent``;
   403 → ``blocked`` and ``users.bot_blocked``; another 4xx → ``rejected`` (logged);
   429 → everybody pauses ``retry_after``, then this message is sent again; 5xx/network →
   ``retry`` and the job is re-queued with back-off, until ``NOTIFY_MAX_ATTEMPTS``.

A worker killed between the claim and the answer leaves the row ``sending``: when the
queue hands the job to another worker, that message is not sent again (at most once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, WebAppInfo
from pgqueuer.errors import RetryRequested

from srochno import clock, metrics
from srochno.config import Settings
from srochno.db import Connection, Database
from srochno.enums import DeliveryStatus, OrderStatus
from srochno.jobs import Delivery
from srochno.notifications import gate
from srochno.notifications.texts import Message, render
from srochno.orders.rules import no_response_due_sql
from srochno.telegram.links import order_app_url
from srochno.telegram.texts import language

logger = logging.getLogger(__name__)

RECIPIENT = "SELECT language_code, is_banned, bot_blocked FROM users WHERE id = $1"
ORDER_OPEN = f"""
SELECT EXISTS (
    SELECT 1 FROM orders
    WHERE id = $1 AND status = '{OrderStatus.active.value}' AND expires_at > $2
      AND executors_count < max_executors AND NOT {no_response_due_sql("$3")}
)
"""
CLAIM = f"""
INSERT INTO notification_deliveries AS d
    (event_key, user_id, status, attempts, created_at, updated_at)
VALUES ($1, $2, $3, 1, $4, $4)
ON CONFLICT (event_key, user_id) DO UPDATE
    SET status = EXCLUDED.status, attempts = d.attempts + 1, updated_at = EXCLUDED.updated_at
    WHERE d.status = '{DeliveryStatus.retry.value}'
RETURNING attempts
"""
FINISH = """
UPDATE notification_deliveries SET status = $3, updated_at = $4
WHERE event_key = $1 AND user_id = $2
"""
MARK_BLOCKED = "UPDATE users SET bot_blocked = true, updated_at = $2 WHERE id = $1"


@dataclass(frozen=True, slots=True)
class Claim:
    attempt: int
    lang: str | None


async def claim(conn: Connection, delivery: Delivery, settings: Settings) -> Claim | None:
    """The delivery is ours to send (its attempt number), or None: done or not to send."""
    now = clock.now()
    async with conn.transaction():
        user = await conn.fetchrow(RECIPIENT, delivery.user_id)
        sendable = user is not None and not user["is_banned"] and not user["bot_blocked"]
        if sendable and delivery.kind == "order_created":
            sendable = await conn.fetchval(
                ORDER_OPEN, delivery.data["order_id"], now, now - settings.no_response_timeout
            )
        status = DeliveryStatus.sending if sendable else DeliveryStatus.skipped
        attempt = await conn.fetchval(CLAIM, delivery.event_key, delivery.user_id, status, now)
    if attempt is None or not sendable:
        return None
    assert user is not None
    return Claim(attempt, user["language_code"])


def keyboard(message: Message, settings: Settings) -> InlineKeyboardMarkup:
    url = settings.webapp_base_url
    if message.order_id is not None:
        url = order_app_url(url, message.order_id)
    button = InlineKeyboardButton(text=message.button, web_app=WebAppInfo(url=url))
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


async def finish(conn: Connection, delivery: Delivery, status: DeliveryStatus) -> None:
    await conn.execute(FINISH, delivery.event_key, delivery.user_id, status, clock.now())


def backoff(settings: Settings, attempt: int) -> timedelta:
    return timedelta(seconds=settings.notify_retry_seconds * 2 ** (attempt - 1))


async def send(db: Database, bot: Bot, settings: Settings, delivery: Delivery) -> DeliveryStatus:
    """Deliver at most once; raises :class:`RetryRequested` to be run again later. A
    connection is taken for each short step, never held across a sleep or a call."""
    async with db.connection() as conn:
        claimed = await claim(conn, delivery, settings)
    if claimed is None:
        return DeliveryStatus.skipped
    chat_id = delivery.user_id  # a private chat's id is its user's id
    while True:
        message = render(delivery.kind, language(claimed.lang), delivery.data, clock.now())
        await gate.wait_for_slot(db, chat_id, settings.telegram_max_messages_per_second)
        try:
            await bot.send_message(chat_id, message.text, reply_markup=keyboard(message, settings))
        except TelegramRetryAfter as error:
            async with db.connection() as conn:
                await gate.release(conn, chat_id)
                await gate.pause(conn, float(error.retry_after))
            logger.warning("Telegram asked every sender to wait %s s", error.retry_after)
            continue
        except Exception as error:
            async with db.connection() as conn:
                await gate.release(conn, chat_id)
                return await _failed(conn, delivery, claimed, settings, error)
        async with db.connection() as conn:
            await gate.release(conn, chat_id)
            await finish(conn, delivery, DeliveryStatus.sent)
        metrics.NOTIFICATIONS_SENT.inc()
        return DeliveryStatus.sent


async def _failed(
    conn: Connection, delivery: Delivery, claimed: Claim, settings: Settings, error: Exception
) -> DeliveryStatus:
    if isinstance(error, TelegramForbiddenError):
        async with conn.transaction():
            await conn.execute(MARK_BLOCKED, delivery.user_id, clock.now())
            await finish(conn, delivery, DeliveryStatus.blocked)
        metrics.NOTIFICATIONS_FAILED.labels("blocked").inc()
        return DeliveryStatus.blocked
    retryable = isinstance(error, (TelegramServerError, TelegramNetworkError, TimeoutError))
    if isinstance(error, TelegramEntityTooLarge) or not retryable:
        if not isinstance(error, TelegramAPIError):
            raise error  # a bug, not Telegram: the queue logs it
        return await _rejected(conn, delivery, error)
    if claimed.attempt >= settings.notify_max_attempts:
        await finish(conn, delivery, DeliveryStatus.failed)
        metrics.NOTIFICATIONS_FAILED.labels("retries_exhausted").inc()
        logger.warning("notification given up after %d attempts: %s", claimed.attempt, error)
        return DeliveryStatus.failed
    await finish(conn, delivery, DeliveryStatus.retry)
    raise RetryRequested(
        delay=backoff(settings, claimed.attempt), reason=type(error).__name__
    ) from error


async def _rejected(conn: Connection, delivery: Delivery, error: Exception) -> DeliveryStatus:
    await finish(conn, delivery, DeliveryStatus.rejected)
    metrics.NOTIFICATIONS_FAILED.labels("bad_request").inc()
    logger.warning(
        "notification refused by Telegram: %s",
        error,
        extra={"event_key": delivery.event_key, "user_id": delivery.user_id},
    )
    return DeliveryStatus.rejected
