from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from srochno.auth.dependencies import CurrentUser
from srochno.db import DbSession
from srochno.errors import AUTH_ERRORS, UserNotFound, responses
from srochno.users import service
from srochno.users.categories import CATEGORIES
from srochno.users.schemas import (
    BIGINT_MAX,
    Category,
    NotificationSettingsIn,
    PreferencesIn,
    Profile,
    PublicProfile,
)

router = APIRouter(tags=["users"])


@router.get("/api/users/me", response_model=Profile, responses=responses(*AUTH_ERRORS))
async def read_me(user: CurrentUser) -> Profile:
    return Profile.of(user)


@router.put("/api/users/me/preferences", response_model=Profile, responses=responses(*AUTH_ERRORS))
async def update_preferences(body: PreferencesIn, user: CurrentUser, session: DbSession) -> Profile:
    user = await service.set_preferences(session, user, body.categories, body.cities)
    return Profile.of(user)


@router.put(
    "/api/users/me/notification-settings",
    response_model=Profile,
    responses=responses(*AUTH_ERRORS),
)
async def update_notification_settings(
    body: NotificationSettingsIn, user: CurrentUser, session: DbSession
) -> Profile:
    user = await service.set_notification_frequency(session, user, body.frequency)
    return Profile.of(user)


@router.get("/api/users/{user_id}", response_model=PublicProfile, responses=responses(UserNotFound))
async def read_user(
    user_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], session: DbSession
) -> PublicProfile:
    return PublicProfile.of(await service.get_user(session, user_id))


@router.get("/api/categories", response_model=list[Category], tags=["catalog"])
async def list_categories() -> list[Category]:
    return [Category(slug=slug, title=title) for slug, title in CATEGORIES.items()]
