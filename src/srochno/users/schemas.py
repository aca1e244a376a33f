from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from srochno.catalog import CATEGORIES
from srochno.enums import Frequency
from srochno.geo import MIN_RADIUS_KM
from srochno.schemas import NO_NUL_PATTERN, CleanText, Latitude, Longitude

CityName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=64, pattern=NO_NUL_PATTERN),
    CleanText,
]
CategoryName = Annotated[str, WithJsonSchema({"type": "string", "enum": list(CATEGORIES)})]


class WorkArea(BaseModel):
    """Where an executor works: a centre (private to the executor) and a radius."""

    model_config = ConfigDict(extra="forbid")

    lat: Latitude
    lon: Longitude
    radius_km: Annotated[
        float, Field(ge=MIN_RADIUS_KM, le=500, allow_inf_nan=False, strict=True)
    ] = Field(description="At least 0.1; a wider radius than GEO_MAX_RADIUS_KM is kept as that")


class PublicProfile(BaseModel):
    """What anybody may see of a user."""

    id: int
    first_name: str | None
    photo_url: str | None
    completed_orders_count: int
    average_rating: float | None = Field(description="Mean rating 1..5; null until rated")
    reviews_count: int
    complaints_count: int
    created_at: datetime
    phone_verified: bool = Field(description="Telegram confirmed the user's own phone number")


class Profile(PublicProfile):
    """The user's own profile."""

    username: str | None
    last_name: str | None
    language_code: str | None
    balance: int = Field(description="Internal balance in whole rubles")
    subscribed_categories: list[str]
    subscribed_cities: list[str] = Field(description="Normalised city keys")
    notification_frequency: Frequency
    verified_phone: str | None = Field(
        description="The phone Telegram confirmed as the user's own (shared with the bot)"
    )
    allows_write_to_pm: bool = Field(description="The last initData allowed the bot to write")
    notifications_reach: Literal["ok", "needs_start", "blocked", "email"] = Field(
        description="Whether notifications reach the user: `needs_start` until the user "
        "starts the bot or allows writing (messages wait), `blocked` while the bot is blocked, "
        "`email` for a web account (no Telegram chat: its notifications are e-mails)"
    )
    area: WorkArea | None = Field(
        default=None, description="My work area: located orders in it reach me on duty"
    )
    on_duty_until: datetime | None = Field(
        default=None, description="On duty until then (null: off duty)"
    )
    email: str | None = Field(
        default=None,
        description="My verified e-mail address: a web account's sign-in; a Telegram "
        "account's once confirmed (POST /api/users/me/email), which e-mails reach too",
    )


def _known_categories(slugs: list[str]) -> list[str]:
    unknown = [slug for slug in slugs if slug not in CATEGORIES]
    if unknown:
        # Quoted by repr: a lone surrogate in the message would break the error itself.
        raise ValueError(f"Unknown category: {', '.join(map(repr, unknown))}")
    return list(dict.fromkeys(slugs))


class PreferencesIn(BaseModel):
    categories: Annotated[
        list[CategoryName], Field(max_length=len(CATEGORIES)), AfterValidator(_known_categories)
    ] = Field(default_factory=list, description="Category slugs from /api/categories")
    cities: Annotated[list[CityName], Field(max_length=20)] = Field(
        default_factory=list, description="Cities to follow; trimmed, case-insensitive"
    )
    area: WorkArea | None = Field(
        default=None,
        description="A work area; omitted: unchanged, null: removed (and off duty)",
    )


class DutyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: Annotated[bool, Field(strict=True)]
    hours: Annotated[float, Field(ge=1, le=24, allow_inf_nan=False, strict=True)] | None = Field(
        default=None, description="1..24; default DUTY_DEFAULT_HOURS"
    )


class NotificationSettingsIn(BaseModel):
    frequency: Frequency


class Category(BaseModel):
    slug: str
    title: str
