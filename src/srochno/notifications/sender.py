"""Sending one message to one user about one event, at most once.

1. **Claim** (one transaction): the user is read (banned or ``bot_blocked``: skipped;
   ``needs_start``: kept as ``needs_start`` with its payload, sent when the user starts the
   bot or allows writing, see :func:`srochno.jobs.resend_waiting`), an
   order's announcement is checked to be still takeable, and the delivery row
   ``(event_key, user_id)`` is inserted as ``sending``. A row already there (another
   worker, a redelivered job, a second fan-out) is never claimed again, except one left
   ``retry`` by a 5xx or network failure.
2. **Gate**: a global send slot and the chat's turn (:mod:`srochno.notifications.gate`).
3. **Call**: ``sendMessage``; the outcome is written on the delivery row: ``sent``;
   403 "blocked by the user" (or deactivated) → ``blocked`` and ``users.bot_blocked``;
   403 "can't initiate conversation" → ``needs_start`` (kept) and ``users.needs_start``;
   another 4xx → ``rejected`` (logged);
   429 → everybody pauses ``retry_after``, then this message is sent again; 5xx/network →
   ``retry`` and the job is re-queued with back-off, until ``NOTIFY_MAX_ATTEMPTS``.

A worker killed between the claim and the answer leaves the row ``sending``: when the
queue hands the job to another worker, that message is not sent again (at most once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardMarkup
from pgqueuer.errors import RetryRequested

from srochno import clock, metrics
from srochno.config import Settings
from srochno.db import Connection, Database
from srochno.enums import Channel, DeliveryStatus, OrderStatus
from srochno.jobs import Delivery, is_web_account
from srochno.notifications import gate
from srochno.notifications.texts import Message, render
from srochno.orders.rules import no_response_due_sql
from srochno.telegram.errors import BOT_API_FAILURES
from srochno.telegram.links import app_keyboard
from srochno.telegram.texts import language

logger = logging.getLogger(__name__)

# FOR SHARE: a user's "needs start" mark cannot be cleared between this read and the
# delivery kept waiting, so the clearing transaction always sees the kept delivery.
RECIPIENT = (
    "SELECT language_code, is_banned, bot_blocked, needs_start FROM users WHERE id = $1 FOR SHARE"
)
ORDER_OPEN = f"""
SELECT EXISTS (
    SELECT 1 FROM orders
    WHERE id = $1 AND status = '{OrderStatus.active.value}' AND expires_at > $2
      AND executors_count < max_executors AND NOT {no_response_due_sql("$3")}
)
"""
CLAIM = f"""
INSERT INTO notification_deliveries AS d
    (event_key, user_id, status, attempts, payload, created_at, updated_at, channel, device)
VALUES ($1, $2, $3, 1, $5::jsonb, $4, $4, $6, $7)
ON CONFLICT (event_key, user_id, channel, device) DO UPDATE
    SET status = EXCLUDED.status, attempts = d.attempts + 1, payload = EXCLUDED.payload,
        updated_at = EXCLUDED.updated_at
    WHERE d.status IN ('{DeliveryStatus.retry.value}', '{DeliveryStatus.needs_start.value}')
RETURNING attempts
"""
FINISH = """
UPDATE notification_deliveries SET status = $3, updated_at = $4
WHERE event_key = $1 AND user_id = $2 AND channel = $5 AND device = $6
"""
MARK_BLOCKED = "UPDATE users SET bot_blocked = true, updated_at = $2 WHERE id = $1"
# A user who wrote to the bot since can be written to: the 403 was older than that.
MARK_NEEDS_START = (
    "UPDATE users SET needs_start = true, updated_at = $2 WHERE id = $1 AND NOT bot_started "
    "RETURNING true"
)
KEEP_WAITING = f"""
UPDATE notification_deliveries SET status = $3, payload = $4::jsonb, updated_at = $5
WHERE event_key = $1 AND user_id = $2 AND channel = '{Channel.telegram.value}'
"""
CANNOT_INITIATE = "can't initiate conversation"
"""Telegram's 403 to a bot writing first to a user who never started it."""


def needs_start(error: TelegramForbiddenError) -> bool:
    """The 403 says the user never started the bot (not that they blocked it)."""
    return CANNOT_INITIATE in error.message.lower()


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
        payload = None
        if not sendable:
            status = DeliveryStatus.skipped
        elif user is not None and user["needs_start"]:
            status, payload, sendable = DeliveryStatus.needs_start, _payload(delivery), False
        else:
            status = DeliveryStatus.sending
        attempt = await conn.fetchval(
            CLAIM,
            delivery.event_key,
            delivery.user_id,
            status,
            now,
            payload,
            delivery.channel,
            delivery.device,
        )
    if attempt is None or not sendable:
        return None
    assert user is not None
    return Claim(attempt, user["language_code"])


def keyboard(message: Message, settings: Settings) -> InlineKeyboardMarkup:
    """The message's button: its order (a ``startapp`` link when the app's direct link is
    configured), or the Mini App's start page."""
    return app_keyboard(
        message.button, settings.webapp_base_url, settings.telegram_app_link, message.order_id
    )


async def with_bot_link(bot: Bot, delivery: Delivery) -> dict[str, Any]:
    """A digest links each order it lists: without the app's direct link, through the bot's
    ``start`` link, so the bot's username (``getMe``, once per process: aiogram keeps it).
    Telegram not answering it costs the links, not the digest."""
    if delivery.kind != "digest" or delivery.data.get("app_link"):
        return delivery.data
    try:
        me = await bot.me()
    except BOT_API_FAILURES as error:
        logger.warning("digest sent without links: getMe failed (%s)", type(error).__name__)
        return delivery.data
    return {**delivery.data, "bot_username": me.username} if me.username else delivery.data


def _payload(delivery: Delivery) -> str:
    return orjson.dumps(delivery.payload()).decode()


async def finish(conn: Connection, delivery: Delivery, status: DeliveryStatus) -> None:
    await conn.execute(
        FINISH,
        delivery.event_key,
        delivery.user_id,
        status,
        clock.now(),
        delivery.channel,
        delivery.device,
    )


def backoff(settings: Settings, attempt: int) -> timedelta:
    return timedelta(seconds=settings.notify_retry_seconds * 2 ** (attempt - 1))


async def send(db: Database, bot: Bot, settings: Settings, delivery: Delivery) -> DeliveryStatus:
    """Deliver at most once; raises :class:`RetryRequested` to be run again later. A
    connection is taken for each short step, never held across a sleep or a call. A web
    account is never written to (its delivery could not even be claimed: a CHECK keeps
    Telegram deliveries to positive ids)."""
    if delivery.channel != Channel.telegram or is_web_account(delivery.user_id):
        logger.error("a Telegram message to %s refused: not a Telegram user", delivery.user_id)
        return DeliveryStatus.skipped
    async with db.connection() as conn:
        claimed = await claim(conn, delivery, settings)
    if claimed is None:
        return DeliveryStatus.skipped
    chat_id = delivery.user_id  # a private chat's id is its user's id
    data = await with_bot_link(bot, delivery)
    while True:
        message = render(delivery.kind, language(claimed.lang), data, clock.now())
        await gate.wait_for_slot(db, chat_id, settings.send_rate)
        try:
            await bot.send_message(
                chat_id,
                message.text,
                reply_markup=keyboard(message, settings),
                # Only when paid: the parameter unset keeps the free limits.
                allow_paid_broadcast=settings.telegram_allow_paid_broadcast or None,
            )
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
    if isinstance(error, TelegramForbiddenError) and needs_start(error):
        return await _keep_waiting(conn, delivery, claimed, settings, error)
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


async def _keep_waiting(
    conn: Connection,
    delivery: Delivery,
    claimed: Claim,
    settings: Settings,
    error: TelegramForbiddenError,
) -> DeliveryStatus:
    """The user never started the bot: the message waits for them (``needs_start``). A
    user who wrote to the bot meanwhile is tried again later instead."""
    async with conn.transaction():
        marked = await conn.fetchval(MARK_NEEDS_START, delivery.user_id, clock.now())
        if marked:
            await conn.execute(
                KEEP_WAITING,
                delivery.event_key,
                delivery.user_id,
                DeliveryStatus.needs_start,
                _payload(delivery),
                clock.now(),
            )
    if marked:
        metrics.NOTIFICATIONS_FAILED.labels("needs_start").inc()
        return DeliveryStatus.needs_start
    await finish(conn, delivery, DeliveryStatus.retry)
    raise RetryRequested(delay=backoff(settings, claimed.attempt), reason="needs_start") from error


async def _rejected(conn: Connection, delivery: Delivery, error: Exception) -> DeliveryStatus:
    await finish(conn, delivery, DeliveryStatus.rejected)
    metrics.NOTIFICATIONS_FAILED.labels("bad_request").inc()
    logger.warning(
        "notification refused by Telegram: %s",
        error,
        extra={"event_key": delivery.event_key, "user_id": delivery.user_id},
    )
    return DeliveryStatus.rejected
