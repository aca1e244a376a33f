"""FastAPI dependencies that authenticate a request by its Telegram initData, or by a web
session's cookie (SPEC §23: a write so authenticated must carry ``X-Srochno-CSRF: 1``).

A valid initData string stays valid until it is too old, so each process keeps the ones it
has checked: a request with a known string costs a dict look-up and the exact age check,
not a parse and an HMAC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from srochno import clock
from srochno.auth import web
from srochno.auth.errors import AuthMissing, CsrfHeaderMissing, InitDataMalformed, SessionExpired
from srochno.auth.telegram import check_age, validate_init_data
from srochno.config import Settings
from srochno.ratelimit import RequestGuard
from srochno.state import settings_of, unit_of_work
from srochno.users.account import Account
from srochno.users.errors import TelegramOnly, UserBanned
from srochno.users.service import sync_user, telegram_profile

SCHEMES = frozenset({"tma", "bearer"})
MAX_HEADER_LENGTH = 16 * 1024
CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class Identity:
    """What a checked initData says: who, since when, and the stored form of the profile."""

    user_id: int
    auth_date: int
    profile: tuple[object, ...]
    key: tuple[str | None, int | None, bool]
    """The credentials it was checked with (tests and re-configurations change them)."""


_checked: dict[str, Identity] = {}


def _credentials_key(settings: Settings) -> tuple[str | None, int | None, bool]:
    return (
        settings.telegram_bot_token,
        settings.telegram_bot_id,
        settings.telegram_test_environment,
    )


def identify(header: str, settings: Settings) -> Identity:
    """The identity behind an ``Authorization`` header, or an auth error."""
    if len(header) > MAX_HEADER_LENGTH:
        raise InitDataMalformed("The Authorization header is too long")
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() not in SCHEMES or not credentials:
        raise AuthMissing()
    now = clock.now().timestamp()
    key = _credentials_key(settings)
    known = _checked.get(credentials)
    if known is not None and known.key == key:
        check_age(known.auth_date, max_age_seconds=settings.init_data_max_age_seconds, now=now)
        return known
    init_data = validate_init_data(
        credentials,
        bot_token=settings.telegram_bot_token,
        bot_id=settings.telegram_bot_id,
        test_environment=settings.telegram_test_environment,
        max_age_seconds=settings.init_data_max_age_seconds,
        now=now,
    )
    identity = Identity(
        init_data.user.id, init_data.auth_date, telegram_profile(init_data.user), key
    )
    if len(_checked) >= CACHE_SIZE:
        del _checked[next(iter(_checked))]  # the oldest entry
    _checked[credentials] = identity
    return identity


async def optional_user(request: Request) -> Account | None:
    """The signed-in user, or None without an ``Authorization`` header or a live web
    session. (One dependency with no sub-dependencies: it runs on every request, and each
    level costs FastAPI.)"""
    header = request.headers.get("authorization")
    if header is None:
        token = request.cookies.get(web.SESSION_COOKIE)
        return None if token is None else await session_user(request, token)
    return await signed_in_user(request, header)


async def session_user(request: Request, token: str) -> Account | None:
    """The user of a web session's cookie (None: ended or expired). A write must carry the
    CSRF header: a page of another site can make the browser send the cookie, never a
    custom header."""
    if request.method not in web.SAFE_METHODS and request.headers.get(web.CSRF_HEADER) != "1":
        raise CsrfHeaderMissing()
    work = unit_of_work(request)
    conn = await work.connection()
    row = await web.session_user(conn, settings_of(request), token, clock.now())
    if row is None:
        return None
    user = Account.from_row(row)
    guard = cast(RequestGuard | None, work.guard)
    if guard is not None:
        guard.user_id = user.id
        if guard.user_limit is not None:
            await guard.on_user(conn, user.id)
    if user.is_banned:
        raise UserBanned()
    return user


async def signed_in_user(request: Request, header: str) -> Account:
    """The user an ``Authorization`` value names, synced and not banned. The route's
    per-user rate limit is counted with the connection's first statement."""
    identity = identify(header, settings_of(request))
    work = unit_of_work(request)
    guard = cast(RequestGuard | None, work.guard)
    if guard is not None:
        guard.user_id = identity.user_id
    conn = await work.connection()
    if guard is not None and guard.user_limit is not None:  # connected before: count now
        await guard.on_user(conn, identity.user_id)
    user = await sync_user(conn, identity.user_id, identity.profile)
    if user.is_banned:
        raise UserBanned()
    return user


async def current_user(request: Request) -> Account:
    """The signed-in user; 401 ``auth_missing`` without an ``Authorization`` header, 401
    ``session_expired`` with a web session's cookie that opens no session (any more).
    (It calls :func:`optional_user` itself: a sub-dependency would be a level more.)"""
    user = await optional_user(request)
    if user is None:
        if "authorization" not in request.headers and web.SESSION_COOKIE in request.cookies:
            raise SessionExpired()
        raise AuthMissing()
    return user


async def telegram_user(request: Request) -> Account:
    """The signed-in user, signed in through Telegram (initData): what exists only inside
    Telegram (Stars, the bot's write access, a message shared through the bot) is refused
    to a web session, a web account's or a Telegram account's signed in by e-mail: 409
    ``telegram_only``."""
    user = await current_user(request)
    if request.headers.get("authorization") is None:
        raise TelegramOnly()
    return user


CurrentUser = Annotated[Account, Depends(current_user)]
"""The signed-in user, a frozen :class:`~srochno.users.account.Account` built once."""
TelegramUser = Annotated[Account, Depends(telegram_user)]
"""The signed-in user, signed in through Telegram."""
OptionalUser = Annotated[Account | None, Depends(optional_user)]
