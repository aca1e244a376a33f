"""Keeping users in step with Telegram, and their preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from srochno import clock
from srochno.catalog import normalize_city
from srochno.db import Connection, Record
from srochno.users import repository
from srochno.users.account import Account
from srochno.users.errors import UserNotFound
from srochno.users.repository import PROFILE_COLUMNS

# Profile fields taken from Telegram, with the longest value stored.
TEXT_LIMITS = {
    "username": 64,
    "first_name": 256,
    "last_name": 256,
    "language_code": 16,
    "photo_url": 2048,
}


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
        values.append(bool(value) if field == "is_premium" else value)
    return tuple(values)


async def ensure_user(conn: Connection, telegram: TelegramProfile, now: datetime) -> None:
    """The user a bot update names exists afterwards (created with its profile when new;
    an existing user's profile is kept: initData refreshes it)."""
    await repository.ensure_user(conn, telegram.id, telegram_profile(telegram), now)


def profile_changed(row: Record, profile: tuple[object, ...]) -> bool:
    return any(row[field] != value for field, value in zip(PROFILE_COLUMNS, profile, strict=True))


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
        row = await repository.upsert_user(conn, user_id, profile, clock.now())
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


async def set_notification_frequency(conn: Connection, user_id: int, frequency: str) -> Account:
    return Account.from_row(await repository.set_frequency(conn, user_id, frequency, clock.now()))
