from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator
from starlette.responses import Response

from srochno.auth.dependencies import CurrentUser, TelegramUser
from srochno.auth.errors import AUTH_ERRORS
from srochno.catalog import CATEGORIES
from srochno.enums import BIGINT_MAX
from srochno.errors import DatabaseUnavailable, responses
from srochno.responses import json_response
from srochno.schemas import NOT_ZERO_SCHEMA, USER_ID_MIN, not_zero
from srochno.state import ReadConnection, SettingsDep, WriteConnection, domain_router
from srochno.users import presenter, service
from srochno.users.errors import TelegramOnly, UserNotFound, WorkAreaRequired
from srochno.users.schemas import (
    Category,
    DutyIn,
    NotificationSettingsIn,
    PreferencesIn,
    Profile,
    PublicProfile,
)

router = domain_router(tags=["users"])


@router.get("/api/users/me", response_model=Profile, responses=responses(*AUTH_ERRORS))
async def read_me(user: CurrentUser) -> Response:
    return json_response(presenter.profile(user))


@router.put(
    "/api/users/me/preferences",
    response_model=Profile,
    responses=responses(*AUTH_ERRORS),
)
async def update_preferences(
    body: PreferencesIn, user: CurrentUser, conn: WriteConnection, settings: SettingsDep
) -> Response:
    """Categories and cities to hear about; cities are stored by their normalised key.
    `area` sets the work area (omitted: unchanged; null: removed, and off duty)."""
    account = await service.update_preferences(conn, settings, user.id, body)
    return json_response(presenter.profile(account))


@router.put(
    "/api/users/me/duty",
    response_model=Profile,
    responses=responses(*AUTH_ERRORS, WorkAreaRequired),
)
async def update_duty(
    body: DutyIn, user: CurrentUser, conn: WriteConnection, settings: SettingsDep
) -> Response:
    """Go on duty (located orders in my work area reach me at once) for `hours`
    (default DUTY_DEFAULT_HOURS), or off. Duty ends by itself at `on_duty_until`."""
    account = await service.set_duty(conn, settings, user.id, body.on, body.hours)
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


@router.post(
    "/api/users/me/write-access",
    response_model=Profile,
    responses=responses(*AUTH_ERRORS, TelegramOnly),
)
async def write_access_granted(user: TelegramUser, conn: WriteConnection) -> Response:
    """The Mini App's `requestWriteAccess()` was granted: notifications reach the user, and
    the ones that waited for it are sent. A web account has no Telegram chat: 409
    `telegram_only` (its notifications go by e-mail, `notifications_reach: email`)."""
    return json_response(presenter.profile(await service.allow_writing(conn, user.id)))


@router.get(
    "/api/users/{user_id}",
    response_model=PublicProfile,
    responses=responses(UserNotFound, DatabaseUnavailable),
)
async def read_user(
    user_id: Annotated[
        int,
        Path(ge=USER_ID_MIN, le=BIGINT_MAX, json_schema_extra=NOT_ZERO_SCHEMA),
        AfterValidator(not_zero),
    ],
    conn: ReadConnection,
) -> Response:
    """A user's public profile: no handle, last name, balance or preferences."""
    return json_response(presenter.public_profile(await service.get_user(conn, user_id)))


CATALOG = [Category(slug=slug, title=title) for slug, title in CATEGORIES.items()]


@router.get("/api/categories", response_model=list[Category], tags=["catalog"])
async def list_categories() -> list[Category]:
    return CATALOG
