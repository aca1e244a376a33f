"""Keeping users in step with Telegram, and their preferences."""

from __future__ import annotations

from srochno import clock
from srochno.auth.telegram import TelegramUser
from srochno.db import Connection, Record
from srochno.orders.rules import normalize_city
from srochno.users import repository
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


def telegram_profile(telegram: TelegramUser) -> tuple[object, ...]:
    """The stored form of Telegram's profile, in :data:`PROFILE_COLUMNS` order: no NUL
    characters, bounded lengths."""
    values: list[object] = []
    for field in PROFILE_COLUMNS:
        value = getattr(telegram, field)
        limit = TEXT_LIMITS.get(field)
        if limit is not None and value is not None:
            value = value.replace("\x00", "")[:limit]
        values.append(value)
    return tuple(values)


def profile_changed(row: Record, profile: tuple[object, ...]) -> bool:
    return any(row[field] != value for field, value in zip(PROFILE_COLUMNS, profile, strict=True))


async def sync_user(conn: Connection, user_id: int, profile: tuple[object, ...]) -> Record:
    """The user behind a valid initData: created on first sight, refreshed when Telegram's
    profile changed, and read without any write when nothing changed.

    The write, when there is one, is one statement that commits on its own, on the
    request's connection and before the request's transaction begins: that transaction
    then never holds the user row before it locks an order row (the take's lock order),
    and a request never waits for a second connection.
    """
    row = await repository.find_user(conn, user_id)
    if row is not None and not profile_changed(row, profile):
        return row
    return await repository.upsert_user(conn, user_id, profile, clock.now())


async def get_user(conn: Connection, user_id: int) -> Record:
    row = await repository.find_user(conn, user_id)
    if row is None:
        raise UserNotFound()
    return row


def distinct_cities(cities: list[str]) -> list[str]:
    """Cities as stored in preferences: normalised (the one city key), each once."""
    return list(dict.fromkeys(normalize_city(city) for city in cities))


async def set_preferences(
    conn: Connection, user_id: int, categories: list[str], cities: list[str]
) -> Record:
    return await repository.set_preferences(
        conn, user_id, list(dict.fromkeys(categories)), distinct_cities(cities), clock.now()
    )


async def set_notification_frequency(conn: Connection, user_id: int, frequency: str) -> Record:
    return await repository.set_frequency(conn, user_id, frequency, clock.now())
