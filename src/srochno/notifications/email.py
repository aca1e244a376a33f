"""E-mail notifications (SPEC §23): the take and the reminder to clients, the digests, to
web accounts and to Telegram users with a verified address; at most once per (event,
user, channel), by the same claim as the bot's messages.

1. **Claim**: the user is read (banned, no address, or unsubscribed: skipped) and the
   delivery row ``(event, user, 'email')`` inserted as ``sending`` (a row already there is
   never claimed again, except one left ``retry``).
2. **Send** through SMTP: ``sent``; a permanent refusal (5xx) → ``rejected``; anything
   else → ``retry`` with back-off until ``NOTIFY_MAX_ATTEMPTS``, then ``failed``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from html import unescape
from typing import Any

from pgqueuer.errors import RetryRequested

from srochno import clock, metrics
from srochno.config import Settings, same_secret, signing_secret
from srochno.db import Connection, Database
from srochno.enums import Channel, DeliveryStatus
from srochno.jobs import Delivery
from srochno.mail import smtp
from srochno.notifications.sender import CLAIM, finish
from srochno.notifications.texts import render
from srochno.telegram.links import order_app_url
from srochno.telegram.texts import Language, escape, language

logger = logging.getLogger(__name__)

RECIPIENT = "SELECT language_code, is_banned, email, email_notifications FROM users WHERE id = $1"
UNSUBSCRIBE = "UPDATE users SET email_notifications = false, updated_at = $2 WHERE id = $1"


@dataclass(frozen=True, slots=True)
class Claim:
    attempt: int
    lang: str | None
    email: str


async def claim(conn: Connection, delivery: Delivery) -> Claim | None:
    now = clock.now()
    async with conn.transaction():
        user = await conn.fetchrow(RECIPIENT, delivery.user_id)
        sendable = (
            user is not None
            and not user["is_banned"]
            and user["email"] is not None
            and user["email_notifications"]
        )
        status = DeliveryStatus.sending if sendable else DeliveryStatus.skipped
        attempt = await conn.fetchval(
            CLAIM, delivery.event_key, delivery.user_id, status, now, None, Channel.email, 0
        )
    if attempt is None or not sendable:
        return None
    assert user is not None
    return Claim(attempt, user["language_code"], user["email"])


# --- the unsubscribe link -----------------------------------------------------------------


def unsubscribe_signature(settings: Settings, user_id: int) -> str:
    key = signing_secret(settings).encode()
    digest = hmac.new(key, f"unsubscribe:{user_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def unsubscribe_url(settings: Settings, user_id: int) -> str:
    signature = unsubscribe_signature(settings, user_id)
    return f"{settings.public_url.rstrip('/')}/api/email/unsubscribe?u={user_id}&s={signature}"


def valid_unsubscribe(settings: Settings, user_id: int, signature: str) -> bool:
    return same_secret(unsubscribe_signature(settings, user_id), signature)


async def unsubscribe(conn: Connection, user_id: int) -> None:
    await conn.execute(UNSUBSCRIBE, user_id, clock.now())


# --- the message --------------------------------------------------------------------------

SUBJECTS: dict[str, dict[Language, str]] = {
    "order_taken": {"ru": "Ваш заказ взяли", "en": "Your order was taken"},
    "reminder": {"ru": "Ответьте исполнителям", "en": "Answer your executors"},
    "digest": {"ru": "Новые заказы", "en": "New orders"},
}
TAG = re.compile(r"<[^>]+>")


def plain(markup: str) -> str:
    """A message's text without the bot's HTML tags."""
    return unescape(TAG.sub("", markup))


def email_of(
    delivery: Delivery, to: str, lang: Language, settings: Settings, now: Any
) -> smtp.Email:
    """The e-mail of a delivery: the notification's own text (never a contact: the texts
    never receive one), a link to open it, an unsubscribe link; plain text and HTML."""
    app = settings.public_url.rstrip("/") + "/app/"
    # An e-mail is read outside Telegram: the orders it lists link to the web page, never
    # to the bot or the Mini App's Telegram link.
    data = {k: v for k, v in delivery.data.items() if k not in ("app_link", "bot_username")}
    message = render(delivery.kind, lang, {**data, "web_app": app}, now)
    url = order_app_url(app, message.order_id) if message.order_id else app
    leave = unsubscribe_url(settings, delivery.user_id)
    footer = "Отписаться от писем Срочно" if lang == "ru" else "Unsubscribe from Srochno e-mails"
    text = f"{plain(message.text)}\n\n{message.button}: {url}\n\n--\n{footer}: {leave}\n"
    html = (
        "<!doctype html><html><body>"
        f"<p>{message.text.replace(chr(10), '<br>')}</p>"
        f'<p><a href="{escape(url)}">{escape(message.button)}</a></p>'
        f'<hr><p><small><a href="{escape(leave)}">{escape(footer)}</a></small></p>'
        "</body></html>"
    )
    headers = {
        "List-Unsubscribe": f"<{leave}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    subject = SUBJECTS.get(delivery.kind, SUBJECTS["digest"])[lang]
    return smtp.Email(to=to, subject=subject, text=text, html=html, headers=headers)


def backoff(settings: Settings, attempt: int) -> timedelta:
    return timedelta(seconds=settings.notify_retry_seconds * 2 ** (attempt - 1))


async def send(db: Database, settings: Settings, delivery: Delivery) -> DeliveryStatus:
    """Send one e-mail at most once; raises :class:`RetryRequested` to be run again."""
    if not settings.email_enabled:
        logger.warning("e-mail not sent: no SMTP_URL or EMAIL_FROM")
        return DeliveryStatus.skipped
    async with db.connection() as conn:
        claimed = await claim(conn, delivery)
    if claimed is None:
        return DeliveryStatus.skipped
    email = email_of(delivery, claimed.email, language(claimed.lang), settings, clock.now())
    try:
        await smtp.send(settings, email)
    except Exception as error:
        async with db.connection() as conn:
            return await _failed(conn, delivery, claimed, settings, error)
    async with db.connection() as conn:
        await finish(conn, delivery, DeliveryStatus.sent)
    metrics.NOTIFICATIONS_SENT.inc()
    return DeliveryStatus.sent


async def _failed(
    conn: Connection, delivery: Delivery, claimed: Claim, settings: Settings, error: Exception
) -> DeliveryStatus:
    if smtp.is_permanent(error):
        await finish(conn, delivery, DeliveryStatus.rejected)
        metrics.NOTIFICATIONS_FAILED.labels("bad_request").inc()
        logger.warning("e-mail refused by the SMTP server: %s", error)
        return DeliveryStatus.rejected
    if claimed.attempt >= settings.notify_max_attempts:
        await finish(conn, delivery, DeliveryStatus.failed)
        metrics.NOTIFICATIONS_FAILED.labels("retries_exhausted").inc()
        logger.warning("e-mail given up after %d attempts: %s", claimed.attempt, error)
        return DeliveryStatus.failed
    await finish(conn, delivery, DeliveryStatus.retry)
    raise RetryRequested(
        delay=backoff(settings, claimed.attempt), reason=type(error).__name__
    ) from error
