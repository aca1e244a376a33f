"""Web Push (SPEC §23): a new order's instant news to each device its executor subscribed,
at most once per (event, user, device), by the same claim as the bot's messages.

1. **Claim**: the user and the device are read (banned, or the subscription gone: skipped),
   the order checked to be still takeable, and the delivery row ``(event, user, 'push',
   device)`` inserted as ``sending`` (never claimed again, except one left ``retry``).
2. **Send**: the message is encrypted to the device's keys (RFC 8291, ``aes128gcm``) and
   POSTed to its endpoint with a VAPID signature (RFC 8292), by pywebpush in a thread (it
   is synchronous: the event loop never waits on the push service). 201 → ``sent``;
   404/410 → ``gone`` and the subscription removed; 429 → ``retry`` after its
   ``Retry-After``; 5xx or the network → ``retry`` with back-off until
   ``NOTIFY_MAX_ATTEMPTS``; a redirect (never followed) or another 4xx → ``rejected``.
   The answer's body is never read beyond an empty one (:class:`PushSession`).

What is pushed is the order's public card only: its category, city, distance from the
work area, description (which passed the contact check when it was posted), time left and
price; never its contact, address or point.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from pgqueuer.errors import RetryRequested

from srochno import clock, metrics
from srochno.config import Settings
from srochno.db import Connection, Database
from srochno.enums import Channel, DeliveryStatus
from srochno.jobs import Delivery
from srochno.notifications.sender import CLAIM, ORDER_OPEN, backoff, finish
from srochno.notifications.texts import category_name, minutes, shorten
from srochno.orders.rules import timing
from srochno.push import repository
from srochno.push.vapid import signer
from srochno.telegram.links import order_app_url
from srochno.telegram.texts import Language, language

logger = logging.getLogger(__name__)

RECIPIENT = """
SELECT u.language_code, u.is_banned, s.endpoint, s.p256dh, s.auth
FROM users u LEFT JOIN push_subscriptions s ON s.id = $2 AND s.user_id = u.id
WHERE u.id = $1
"""
BODY_DESCRIPTION_LIMIT = 140
GONE = frozenset({404, 410})
RETRY_AFTER_MAX_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Claim:
    attempt: int
    lang: str | None
    endpoint: str
    p256dh: str
    auth: str


async def claim(conn: Connection, delivery: Delivery, settings: Settings) -> Claim | None:
    now = clock.now()
    async with conn.transaction():
        row = await conn.fetchrow(RECIPIENT, delivery.user_id, delivery.device)
        sendable = row is not None and not row["is_banned"] and row["endpoint"] is not None
        if sendable and delivery.kind == "order_created":
            sendable = await conn.fetchval(
                ORDER_OPEN, delivery.data["order_id"], now, now - settings.no_response_timeout
            )
        status = DeliveryStatus.sending if sendable else DeliveryStatus.skipped
        attempt = await conn.fetchval(
            CLAIM,
            delivery.event_key,
            delivery.user_id,
            status,
            now,
            None,
            Channel.push,
            delivery.device,
        )
    if attempt is None or not sendable:
        return None
    assert row is not None
    return Claim(attempt, row["language_code"], row["endpoint"], row["p256dh"], row["auth"])


# --- the message (pure) -------------------------------------------------------------------


def push_message(lang: Language, data: dict[str, Any], now: datetime) -> dict[str, str]:
    """The notification a new order shows: title, body, the page to open, a tag (a second
    push about the same order replaces the first). Plain text: a notification shows no
    markup."""
    category = category_name(lang, data["category"])
    place = str(data["city"])
    km = data.get("distance_km")
    if km is not None:
        place += f" · ~{km:g} км" if lang == "ru" else f" · ~{km:g} km"
    left = timing(datetime.fromisoformat(data["expires_at"]), now).minutes_left
    price = data["price"]
    if lang == "ru":
        title = f"🔥 Новый заказ: {category}"
        tail = f"⏳ Осталось {minutes(lang, left)} · взять за {price} ₽"
    else:
        title = f"🔥 New order: {category}"
        tail = f"⏳ {minutes(lang, left)} left · take it for {price} ₽"
    description = shorten(str(data["description"]), BODY_DESCRIPTION_LIMIT)
    order_id = str(data["order_id"])
    return {
        "title": title,
        "body": f"📍 {place}\n{description}\n{tail}",
        "url": order_app_url("./", order_id),
        "tag": f"order-{order_id}",
        "order_id": order_id,
    }


# --- sending ------------------------------------------------------------------------------


def retry_after(value: str | None) -> timedelta | None:
    """A ``Retry-After`` header (seconds or an HTTP date) as a delay, at most an hour."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = (parsedate_to_datetime(value) - clock.now()).total_seconds()
        except (TypeError, ValueError):
            return None
    return timedelta(seconds=min(max(seconds, 0.0), RETRY_AFTER_MAX_SECONDS))


class PushRefused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(f"the push service answered {status}")
        self.status = status


async def send(db: Database, settings: Settings, delivery: Delivery) -> DeliveryStatus:
    """Push at most once to one device; raises :class:`RetryRequested` to be run again."""
    key = signer(settings)
    if key is None:
        logger.warning("push not sent: no VAPID_PRIVATE_KEY")
        return DeliveryStatus.skipped
    async with db.connection() as conn:
        claimed = await claim(conn, delivery, settings)
    if claimed is None:
        return DeliveryStatus.skipped
    message = push_message(language(claimed.lang), delivery.data, clock.now())
    try:
        from srochno.notifications.push_http import post  # loaded by the first push

        device = {
            "endpoint": claimed.endpoint,
            "keys": {"p256dh": claimed.p256dh, "auth": claimed.auth},
        }
        answer = await asyncio.to_thread(post, device, message, key, settings)
    except Exception as error:  # the network, a timeout, TLS
        async with db.connection() as conn:
            return await _retry(conn, delivery, claimed, settings, error, None)
    status = answer.status
    async with db.connection() as conn:
        if 200 <= status < 300:
            await finish(conn, delivery, DeliveryStatus.sent)
            metrics.NOTIFICATIONS_SENT.inc()
            return DeliveryStatus.sent
        if status in GONE:
            async with conn.transaction():
                await repository.remove_gone(conn, delivery.device, claimed.endpoint)
                await finish(conn, delivery, DeliveryStatus.gone)
            metrics.NOTIFICATIONS_FAILED.labels("gone").inc()
            return DeliveryStatus.gone
        if status == 429 or status >= 500:
            refused = PushRefused(status)
            return await _retry(
                conn, delivery, claimed, settings, refused, retry_after(answer.retry_after)
            )
        await finish(conn, delivery, DeliveryStatus.rejected)
        metrics.NOTIFICATIONS_FAILED.labels("bad_request").inc()
        logger.warning("push refused by the push service: %s", status)
        return DeliveryStatus.rejected


async def _retry(
    conn: Connection,
    delivery: Delivery,
    claimed: Claim,
    settings: Settings,
    error: Exception,
    after: timedelta | None,
) -> DeliveryStatus:
    if claimed.attempt >= settings.notify_max_attempts:
        await finish(conn, delivery, DeliveryStatus.failed)
        metrics.NOTIFICATIONS_FAILED.labels("retries_exhausted").inc()
        logger.warning("push given up after %d attempts: %s", claimed.attempt, error)
        return DeliveryStatus.failed
    await finish(conn, delivery, DeliveryStatus.retry)
    delay = after if after is not None else backoff(settings, claimed.attempt)
    raise RetryRequested(delay=delay, reason=type(error).__name__) from error
