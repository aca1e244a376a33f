"""Keeping users in step with Telegram, and their preferences."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from srochno import clock
from srochno.auth.telegram import TelegramUser
from srochno.errors import UserNotFound
from srochno.models import User

# Profile fields taken from Telegram, with the longest value stored.
TEXT_FIELDS = {
    "username": 64,
    "first_name": 256,
    "last_name": 256,
    "language_code": 16,
    "photo_url": 2048,
}


def telegram_profile(telegram: TelegramUser) -> dict[str, object]:
    """The stored form of Telegram's profile fields: no NUL characters, bounded lengths."""
    profile: dict[str, object] = {"is_premium": telegram.is_premium}
    for field, limit in TEXT_FIELDS.items():
        value: str | None = getattr(telegram, field)
        profile[field] = value.replace("\x00", "")[:limit] if value is not None else None
    return profile


def profile_changed(user: User, profile: dict[str, object]) -> bool:
    return any(getattr(user, field) != value for field, value in profile.items())


async def sync_user(
    session: AsyncSession, maker: async_sessionmaker[AsyncSession], telegram: TelegramUser
) -> User:
    """The user behind a valid initData: created on first sight, refreshed when Telegram's
    profile changed, and read without any write when nothing changed.

    The write, when there is one, is its own short transaction: the request's transaction
    then never holds the user row before it locks an order row (see the take's lock order).
    The request's transaction, which has only read so far, ends first and gives its
    connection back: a request holding one connection while waiting for a second would let
    a burst of new users take the whole pool and wait for each other.
    """
    profile = telegram_profile(telegram)
    user = await session.get(User, telegram.id)
    if user is not None and not profile_changed(user, profile):
        return user
    await session.rollback()
    now = clock.now()
    async with maker() as writer, writer.begin():
        await writer.execute(
            insert(User)
            .values(id=telegram.id, created_at=now, updated_at=now, **profile)
            .on_conflict_do_update(index_elements=[User.id], set_={**profile, "updated_at": now})
        )
    user = await session.get(User, telegram.id, populate_existing=True)
    assert user is not None
    return user


async def get_user(session: AsyncSession, user_id: int) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise UserNotFound()
    return user


async def set_preferences(
    session: AsyncSession, user: User, categories: list[str], cities: list[str]
) -> User:
    await session.execute(
        update(User)
        .where(User.id == user.id)
        .values(subscribed_categories=categories, subscribed_cities=cities, updated_at=clock.now())
    )
    await session.refresh(user)
    return user


async def set_notification_frequency(session: AsyncSession, user: User, frequency: str) -> User:
    await session.execute(
        update(User)
        .where(User.id == user.id)
        .values(notification_frequency=frequency, updated_at=clock.now())
    )
    await session.refresh(user)
    return user
