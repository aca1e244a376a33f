"""A verified e-mail address for a Telegram account (SPEC §23): the account asks for a
confirmation link to the address, and the link, opened, stores the address on the account
(its e-mail notifications on). The same one-time links as the web sign-in
(:mod:`srochno.auth.web`); such a link signs nobody in, and a sign-in link confirms
nothing."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from asyncpg import UniqueViolationError

from srochno.auth.errors import EmailTaken, SignInLinkInvalid
from srochno.auth.web import end_sessions_of, token_hash
from srochno.config import Settings
from srochno.db import Connection
from srochno.errors import on_violation
from srochno.mail.smtp import Email
from srochno.telegram.texts import Language, escape

USE_CONFIRMATION = (
    "UPDATE email_sign_ins SET used_at = $2 "
    "WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND user_id IS NOT NULL "
    "RETURNING email, user_id"
)
OWNER_OF = "SELECT id FROM users WHERE email = $1"
# A web account's address is its sign-in: only a Telegram account's is set here.
STORE = (
    "UPDATE users SET email = $2, email_notifications = true, updated_at = $3 "
    "WHERE id = $1 AND id > 0"
)
REMOVE = "UPDATE users SET email = NULL, updated_at = $2 WHERE id = $1 AND id > 0"
# The account's confirmation links still waiting: only the newest request may be confirmed.
RETIRE_PENDING = "UPDATE email_sign_ins SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL"

EMAIL_UNIQUE = "uq_users_email"
on_violation(EMAIL_UNIQUE, EmailTaken)


def confirm_url(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/api/email/confirm?t={quote(token, safe='')}"


def confirmation_email(settings: Settings, to: str, token: str, lang: Language) -> Email:
    """Nothing in it comes from the account (no name: the address may be anybody's)."""
    url = confirm_url(settings, token)
    minutes = round(settings.email_link_minutes)
    if lang == "ru":
        subject = "Подтвердите адрес для Срочно"
        lines = (
            "В Срочно попросили присылать уведомления на этот адрес; подтверждённым адресом "
            "можно и входить в аккаунт Срочно в браузере. Чтобы подтвердить его, откройте "
            "ссылку:",
            f"Ссылка действует {minutes} мин и только один раз. "
            "Если это были не вы, просто удалите письмо: без подтверждения ничего не придёт.",
        )
        button = "Подтвердить адрес"
    else:
        subject = "Confirm your address for Srochno"
        lines = (
            "Someone asked Srochno to send notifications to this address; a confirmed "
            "address also signs in to the Srochno account in a browser. To confirm it, open "
            "this link:",
            f"The link works for {minutes} min, once. If it was not you, just delete this "
            "e-mail: nothing is sent without a confirmation.",
        )
        button = "Confirm the address"
    text = f"{lines[0]}\n\n{url}\n\n{lines[1]}\n"
    html = (
        f"<p>{escape(lines[0])}</p>"
        f'<p><a href="{escape(url)}">{escape(button)}</a></p>'
        f"<p>{escape(url)}</p><p>{escape(lines[1])}</p>"
    )
    return Email(to=to, subject=subject, text=text, html=html)


async def confirm(conn: Connection, settings: Settings, token: str, now: datetime) -> str:
    """Use a confirmation link once: its address becomes the account's verified address
    (e-mail notifications on). 404 for an unknown, used or expired link; 409
    ``email_taken`` when another account has the address (the link stays unused). Run in
    the request's transaction."""
    try:
        async with conn.transaction():  # a savepoint: a refusal leaves the link unused
            link = await conn.fetchrow(USE_CONFIRMATION, token_hash(settings, token), now)
            if link is None:
                raise SignInLinkInvalid()
            email, user_id = link["email"], link["user_id"]
            owner = await conn.fetchval(OWNER_OF, email)
            if owner is not None and owner != user_id:
                raise EmailTaken()
            await conn.execute(STORE, user_id, email, now)
            await conn.execute(RETIRE_PENDING, user_id, now)
            await end_sessions_of(conn, user_id)  # opened with the address it had before
    except UniqueViolationError as error:
        if error.constraint_name != EMAIL_UNIQUE:
            raise
        raise EmailTaken() from error  # stored by another account since the check
    return str(email)


async def retire_pending(conn: Connection, user_id: int, now: datetime) -> None:
    """A new request (or a removal) voids the account's earlier confirmation links: an
    address typed by mistake, or given up, cannot be confirmed later by its mailbox."""
    await conn.execute(RETIRE_PENDING, user_id, now)


async def remove(conn: Connection, user_id: int, now: datetime) -> None:
    """Forget the address: its pending links void, and every browser signed in with it
    signed out."""
    await conn.execute(REMOVE, user_id, now)
    await retire_pending(conn, user_id, now)
    await end_sessions_of(conn, user_id)
