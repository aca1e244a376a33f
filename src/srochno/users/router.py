from __future__ import annotations

from typing import Annotated

from fastapi import Path
from starlette.responses import Response

from srochno.auth.dependencies import CurrentUser
from srochno.auth.errors import AUTH_ERRORS
from srochno.catalog import CATEGORIES
from srochno.enums import BIGINT_MAX
from srochno.errors import DatabaseUnavailable, responses
from srochno.responses import json_response
from srochno.state import ReadConnection, WriteConnection, domain_router
from srochno.users import presenter, service
from srochno.users.errors import UserNotFound
from srochno.users.schemas import (
    Category,
    NotificationSettingsIn,
    PreferencesIn,
    Profile,
    PublicProfile,
)

router = domain_router(tags=["users"])


@router.get("/api/users/me", response_model=Profile, responses=responses(*AUTH_ERRORS))
async def read_me(user: CurrentUser) -> Response:
    return json_response(presenter.profile(user))


@router.put("/api/users/me/preferences", response_model=Profile, responses=responses(*AUTH_ERRORS))
async def update_preferences(
    body: PreferencesIn, user: CurrentUser, conn: WriteConnection
) -> Response:
    """Categories and cities to hear about; cities are stored by their normalised key."""
    account = await service.set_preferences(conn, user.id, body.categories, body.cities)
    return json_response(presenter.profile(account))


@router.put(
    "/api/users/me/notification-settings",
    response_model=Profile,
    responses=responses(*AUTH_ERRORS),
)
async def update_notification_settings(
    body: NotificationSettingsIn, user: CurrentUser, conn: WriteConnection
) -> Response:
    account = await service.set_notification_frequency(conn, user.id, body.frequency)
    return json_response(presenter.profile(account))


@router.get(
    "/api/users/{user_id}",
    response_model=PublicProfile,
    responses=responses(UserNotFound, DatabaseUnavailable),
)
async def read_user(
    user_id: Annotated[int, Path(ge=1, le=BIGINT_MAX)], conn: ReadConnection
) -> Response:
    """A user's public profile: no handle, last name, balance or preferences."""
    return json_response(presenter.public_profile(await service.get_user(conn, user_id)))


CATALOG = [Category(slug=slug, title=title) for slug, title in CATEGORIES.items()]


@router.get("/api/categories", response_model=list[Category], tags=["catalog"])
async def list_categories() -> list[Category]:
    return CATALOG
