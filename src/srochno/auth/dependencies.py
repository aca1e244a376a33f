"""FastAPI dependencies that authenticate a request by its Telegram initData."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from srochno import clock
from srochno.auth.telegram import InitData, validate_init_data
from srochno.config import Settings
from srochno.db import DbSession
from srochno.errors import AuthMissing, UserBanned
from srochno.models import User
from srochno.users.service import sync_user

SCHEMES = ("tma", "bearer")


def init_data_from_header(header: str | None, settings: Settings) -> InitData | None:
    """The validated initData of an ``Authorization`` header, or None when there is none."""
    if header is None:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() not in SCHEMES or not credentials:
        raise AuthMissing()
    return validate_init_data(
        credentials,
        bot_token=settings.telegram_bot_token,
        bot_id=settings.telegram_bot_id,
        test_environment=settings.telegram_test_environment,
        max_age_seconds=settings.init_data_max_age_seconds,
        now=clock.now().timestamp(),
    )


async def optional_user(request: Request, session: DbSession) -> User | None:
    settings: Settings = request.app.state.settings
    init_data = init_data_from_header(request.headers.get("authorization"), settings)
    if init_data is None:
        return None
    user = await sync_user(session, request.app.state.sessionmaker, init_data.user)
    if user.is_banned:
        raise UserBanned()
    return user


async def current_user(user: Annotated[User | None, Depends(optional_user)]) -> User:
    if user is None:
        raise AuthMissing()
    return user


CurrentUser = Annotated[User, Depends(current_user)]
OptionalUser = Annotated[User | None, Depends(optional_user)]
