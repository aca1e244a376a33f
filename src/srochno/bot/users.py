"""Users as the bot meets them: Telegram's ``User`` of an update."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import User

from srochno.db import Connection
from srochno.users import repository
from srochno.users.service import TEXT_LIMITS


def profile_of(user: User) -> tuple[object, ...]:
    """Username, first and last name, language code, is_premium: no NUL characters,
    bounded lengths (as the initData profile is stored)."""

    def text(name: str, value: str | None) -> str | None:
        return None if value is None else value.replace("\x00", "")[: TEXT_LIMITS[name]]

    return (
        text("username", user.username),
        text("first_name", user.first_name),
        text("last_name", user.last_name),
        text("language_code", user.language_code),
        bool(user.is_premium),
    )


async def ensure_user(conn: Connection, user: User, now: datetime) -> None:
    """The user exists afterwards (created with Telegram's profile when new)."""
    await repository.ensure_user(conn, user.id, profile_of(user), now)
