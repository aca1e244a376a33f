"""Keeping users in step with Telegram, and their preferences."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from srochno import clock, jobs
from srochno.catalog import normalize_city
from srochno.config import Settings
from srochno.db import Connection, Record
from srochno.users import repository
from srochno.users.account import Account
from srochno.users.errors import UserNotFound, WorkAreaRequired
from srochno.users.repository import PROFILE_COLUMNS
from srochno.users.schemas import PreferencesIn, WorkArea

# Profile fields taken from Telegram, with the longest value stored.
TEXT_LIMITS = {
    "username": 64,
    "first_name": 256,
    "last_name": 256,
    "language_code": 16,
    "photo_url": 2048,
}


FLAGS = frozenset({"is_premium", "allows_write_to_pm"})
"""Profile fields stored as booleans (what Telegram did not send is false)."""


class TelegramProfile(Protocol):
    """A Telegram user as initData or a bot update describes them (an update's user has no
    ``photo_url``)."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str | None: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def language_code(self) -> str | None: ...
    @property
    def is_premium(self) -> bool | None: ...


def telegram_profile(telegram: TelegramProfile) -> tuple[object, ...]:
    """The stored form of Telegram's profile, in :data:`PROFILE_COLUMNS` order: no NUL
    characters, bounded lengths; what Telegram did not send is None (not premium)."""
    values: list[object] = []
    for field in PROFILE_COLUMNS:
        value = getattr(telegram, field, None)
        limit = TEXT_LIMITS.get(field)
        if limit is not None and value is not None:
            value = value.replace("\x00", "")[:limit]
        values.append(bool(value) if field in FLAGS else value)
    return tuple(values)


async def ensure_user(conn: Connection, telegram: TelegramProfile, now: datetime) -> None:
    """The user a bot update names exists afterwards (created with its profile when new;
    an existing user's profile is kept: initData refreshes it)."""
    await repository.ensure_user(conn, telegram.id, telegram_profile(telegram), now)


def profile_changed(row: Record, profile: tuple[object, ...]) -> bool:
    """Telegram's profile differs from the stored one, or initData allows writing to a user
    still marked as not reachable (the upsert clears those marks)."""
    for field, value in zip(PROFILE_COLUMNS, profile, strict=True):
        if field == "allows_write_to_pm":
            if value and not row[field]:  # only ever raised (see UPSERT_USER)
                return True
        elif row[field] != value:
            return True
    return bool(row["allows_write_to_pm"] and (row["bot_blocked"] or row["needs_start"]))


def waits_for_start(row: Record) -> bool:
    return bool(row["bot_blocked"] or row["needs_start"])


async def met_in_private(conn: Connection, telegram: TelegramProfile, now: datetime) -> None:
    """The user wrote to the bot in private (``/start`` or any message): the bot may write
    to them, so the block and the "needs start" marks go and waiting messages are queued."""
    await repository.ensure_user(conn, telegram.id, telegram_profile(telegram), now)
    if await repository.met_in_private(conn, telegram.id, now):
        await jobs.resend_waiting(conn, telegram.id, now)


async def sync_user(conn: Connection, user_id: int, profile: tuple[object, ...]) -> Account:
    """The user behind a valid initData: created on first sight, refreshed when Telegram's
    profile changed, and read without any write when nothing changed.

    The write, when there is one, is one statement that commits on its own, on the
    request's connection and before the request's transaction begins: that transaction
    then never holds the user row before it locks an order row (the take's lock order),
    and a request never waits for a second connection.
    """
    row = await repository.find_user(conn, user_id)
    if row is None or profile_changed(row, profile):
        now = clock.now()
        if row is not None and waits_for_start(row):
            async with conn.transaction():
                row = await repository.upsert_user(conn, user_id, profile, now)
                if not waits_for_start(row):
                    await jobs.resend_waiting(conn, user_id, now)
        else:
            row = await repository.upsert_user(conn, user_id, profile, now)
    return Account.from_row(row)


async def get_user(conn: Connection, user_id: int) -> Account:
    row = await repository.find_user(conn, user_id)
    if row is None:
        raise UserNotFound()
    return Account.from_row(row)


def distinct_cities(cities: list[str]) -> list[str]:
    """Cities as stored in preferences: normalised (the one city key), each once."""
    return list(dict.fromkeys(normalize_city(city) for city in cities))


async def set_preferences(
    conn: Connection, user_id: int, categories: list[str], cities: list[str]
) -> Account:
    row = await repository.set_preferences(
        conn, user_id, list(dict.fromkeys(categories)), distinct_cities(cities), clock.now()
    )
    return Account.from_row(row)


async def update_preferences(
    conn: Connection, settings: Settings, user_id: int, body: PreferencesIn
) -> Account:
    """Categories and cities; the work area too when the request names it."""
    account = await set_preferences(conn, user_id, body.categories, body.cities)
    if "area" in body.model_fields_set:
        account = await set_work_area(conn, settings, user_id, body.area)
    return account


async def set_work_area(
    conn: Connection, settings: Settings, user_id: int, area: WorkArea | None
) -> Account:
    """Replace or remove (None; and off duty) the user's work area; a radius wider than
    ``GEO_MAX_RADIUS_KM`` is kept as that."""
    values = None
    if area is not None:
        values = (area.lat, area.lon, min(area.radius_km, settings.geo_max_radius_km))
    return Account.from_row(await repository.set_area(conn, user_id, values, clock.now()))


async def set_duty(
    conn: Connection, settings: Settings, user_id: int, on: bool, hours: float | None
) -> Account:
    """On duty for ``hours`` (``DUTY_DEFAULT_HOURS``) from now, or off. Needs a work area."""
    now = clock.now()
    until = now + timedelta(hours=hours or settings.duty_default_hours) if on else None
    row = await repository.set_duty(conn, user_id, until, now)
    if row is None:
        raise WorkAreaRequired()
    return Account.from_row(row)


async def set_notification_frequency(conn: Connection, user_id: int, frequency: str) -> Account:
    return Account.from_row(await repository.set_frequency(conn, user_id, frequency, clock.now()))


async def allow_writing(conn: Connection, user_id: int) -> Account:
    """The user granted the Mini App's ``requestWriteAccess()``: the bot may write to them,
    so the marks go and the messages that waited are queued (one transaction)."""
    now = clock.now()
    row = await repository.allow_writing(conn, user_id, now)
    await jobs.resend_waiting(conn, user_id, now)
    return Account.from_row(row)
