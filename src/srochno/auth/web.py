"""Web sign-in by e-mail (SPEC §23): one-time links, sessions in a cookie, logout.

* A link's token and a session's token are random (256 bits); the database keeps only
  their HMAC-SHA256 under the signing secret (``SECRET_KEY``), so neither a copy of the
  database nor its logs sign anybody in.
* A link is accepted by one conditional update (unused and not expired): two clicks at
  once open one session.
* A web account is created on its first verified sign-in with the next id of
  ``web_user_ids`` (negative: Telegram's ids are positive). An address a Telegram user
  verified signs in to that user's account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from srochno.auth.errors import SignInLinkInvalid
from srochno.config import Settings, secret_bytes, signing_secret
from srochno.db import Connection, Record
from srochno.mail.smtp import Email
from srochno.ratelimit import Limit, Limiter, RateLimited
from srochno.telegram.texts import Language, escape
from srochno.users.repository import USER_COLUMNS

SESSION_COOKIE = "srochno_session"
CSRF_HEADER = "x-srochno-csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_BYTES = 32


def token_hash(settings: Settings, token: str) -> str:
    key = signing_secret(settings).encode()
    return hmac.new(key, secret_bytes(token), hashlib.sha256).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def normalize_email(address: str) -> str:
    """The stored form of an address: trimmed, lower case (one account per mailbox)."""
    return address.strip().lower()


# --- links --------------------------------------------------------------------------------

INSERT_LINK = (
    "INSERT INTO email_sign_ins "
    "(token_hash, email, language_code, created_at, expires_at, user_id) "
    "VALUES ($1, $2, $3, $4, $5, $6)"
)
# A sign-in link only: a link that confirms an address for an account (``user_id``) signs
# nobody in (see :mod:`srochno.auth.address`).
USE_LINK = (
    "UPDATE email_sign_ins SET used_at = $2 "
    "WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 AND user_id IS NULL "
    "RETURNING email, language_code"
)


async def within_limits(
    conn: Connection,
    limiter: Limiter | None,
    settings: Settings,
    ip: str,
    email: str,
    user_id: int | None = None,
) -> bool:
    """Count a request for a link: over the per-IP limit (or, for an account adding an
    address, its own limit), 429; over the per-address limit, False (the caller answers
    202 and sends nothing: no enumeration, no mail bombing). Sign-in and confirmation
    links to one address share its limit."""
    if limiter is None:
        return True
    if user_id is None:
        limit = Limit("email_ip", settings.rate_email_ip_per_hour, 3600)
        await limiter.check(conn, [(f"email_ip:{ip}", limit)])
    else:
        limit = Limit("email_user", settings.rate_email_user_per_hour, 3600)
        await limiter.check(conn, [(f"email_user:{user_id}", limit)])
    try:
        await limiter.check(
            conn, [(f"email:{email}", Limit("email", settings.rate_email_per_hour, 3600))]
        )
    except RateLimited:
        return False
    return True


async def create_link(
    conn: Connection,
    settings: Settings,
    email: str,
    lang: Language,
    now: datetime,
    user_id: int | None = None,
) -> str:
    """A new one-time token for ``email`` (only its hash is stored): a sign-in link, or
    with ``user_id`` a link that confirms the address for that account."""
    token = new_token()
    expires_at = now + settings.email_link_lifetime
    await conn.execute(
        INSERT_LINK, token_hash(settings, token), email, lang, now, expires_at, user_id
    )
    return token


def link_url(settings: Settings, token: str) -> str:
    """The page that finishes the sign-in: the token in the fragment, which browsers never
    send to a server (no access log, no ``Referer`` holds it)."""
    return settings.public_url.rstrip("/") + "/app/#/signin/" + quote(token, safe="")


def sign_in_email(settings: Settings, to: str, token: str, lang: Language) -> Email:
    url = link_url(settings, token)
    minutes = round(settings.email_link_minutes)
    if lang == "ru":
        subject = "Вход в Срочно"
        lines = (
            "Чтобы войти в Срочно, откройте ссылку:",
            f"Ссылка действует {minutes} мин и только один раз. "
            "Если вы не входили, просто удалите это письмо.",
        )
        button = "Войти"
    else:
        subject = "Sign in to Srochno"
        lines = (
            "To sign in to Srochno, open this link:",
            f"The link works for {minutes} min, once. "
            "If you did not ask to sign in, just delete this e-mail.",
        )
        button = "Sign in"
    text = f"{lines[0]}\n\n{url}\n\n{lines[1]}\n"
    html = (
        f"<p>{escape(lines[0])}</p>"
        f'<p><a href="{escape(url)}">{escape(button)}</a></p>'
        f"<p>{escape(url)}</p><p>{escape(lines[1])}</p>"
    )
    return Email(to=to, subject=subject, text=text, html=html)


# --- sessions -----------------------------------------------------------------------------

NEW_WEB_ACCOUNT = (
    "INSERT INTO users (id, email, language_code, created_at, updated_at) "
    "VALUES (nextval('web_user_ids'), $1, $2, $3, $3) ON CONFLICT (email) DO NOTHING "
    "RETURNING id"
)
ACCOUNT_OF_EMAIL = "SELECT id FROM users WHERE email = $1"
INSERT_SESSION = (
    "INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
)
END_SESSION = "DELETE FROM web_sessions WHERE token_hash = $1"
END_SESSIONS_OF = "DELETE FROM web_sessions WHERE user_id = $1"
SESSION_USER = (
    f"SELECT {USER_COLUMNS} FROM users WHERE id = "
    "(SELECT user_id FROM web_sessions WHERE token_hash = $1 AND expires_at > $2)"
)


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    user_id: int
    expires_at: datetime


async def verify_link(conn: Connection, settings: Settings, token: str, now: datetime) -> Session:
    """Use a sign-in link once and open a session for its address's account (created,
    with a web id and the link's language, on the first sign-in). Run in the request's
    transaction."""
    link = await conn.fetchrow(USE_LINK, token_hash(settings, token), now)
    if link is None:
        raise SignInLinkInvalid()
    email = link["email"]
    user_id = await conn.fetchval(NEW_WEB_ACCOUNT, email, link["language_code"], now)
    if user_id is None:
        user_id = await conn.fetchval(ACCOUNT_OF_EMAIL, email)
    session = Session(new_token(), user_id, now + settings.session_lifetime)
    await conn.execute(
        INSERT_SESSION, token_hash(settings, session.token), user_id, now, session.expires_at
    )
    return session


async def end_session(conn: Connection, settings: Settings, token: str) -> None:
    await conn.execute(END_SESSION, token_hash(settings, token))


async def session_user(
    conn: Connection, settings: Settings, token: str, now: datetime
) -> Record | None:
    """The user row of a live session, or None (unknown, ended or expired)."""
    return await conn.fetchrow(SESSION_USER, token_hash(settings, token), now)


async def end_sessions_of(conn: Connection, user_id: int) -> None:
    """Sign every browser of the account out (its e-mail address changed or went)."""
    await conn.execute(END_SESSIONS_OF, user_id)
