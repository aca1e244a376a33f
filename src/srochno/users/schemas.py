from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from srochno.models import User
from srochno.schemas import SafeStr
from srochno.users.categories import CATEGORIES

NotificationFrequency = Literal["instant", "hourly", "daily", "off"]
BIGINT_MAX = 2**63 - 1
UserId = Annotated[int, Field(ge=1, le=BIGINT_MAX)]
CityName = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=2, max_length=64)]
CategoryName = Annotated[str, WithJsonSchema({"type": "string", "enum": list(CATEGORIES)})]


def average_rating(user: User) -> float | None:
    if not user.reviews_count:
        return None
    return round(user.rating_sum / user.reviews_count, 2)


class PublicProfile(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str | None
    first_name: str | None
    last_name: str | None
    photo_url: str | None
    completed_orders_count: int
    average_rating: float | None = Field(description="Mean rating 1..5; null until rated")
    reviews_count: int
    complaints_count: int
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        return cls.model_validate({**_columns(user), "average_rating": average_rating(user)})


class Profile(PublicProfile):
    language_code: str | None
    balance: int = Field(description="Internal balance in whole rubles")
    subscribed_categories: list[str]
    subscribed_cities: list[str]
    notification_frequency: NotificationFrequency


def _columns(user: User) -> dict[str, object]:
    return {column.key: getattr(user, column.key) for column in User.__table__.columns}


def _known_categories(slugs: list[str]) -> list[str]:
    unknown = [slug for slug in slugs if slug not in CATEGORIES]
    if unknown:
        raise ValueError(f"Unknown category: {', '.join(unknown)}")
    return list(dict.fromkeys(slugs))


def _distinct_cities(cities: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for city in cities:
        seen.setdefault(city.casefold(), city)
    return list(seen.values())


class PreferencesIn(BaseModel):
    categories: Annotated[
        list[CategoryName], Field(max_length=len(CATEGORIES)), AfterValidator(_known_categories)
    ] = Field(default_factory=list, description="Category slugs from /api/categories")
    cities: Annotated[list[CityName], Field(max_length=20), AfterValidator(_distinct_cities)] = (
        Field(default_factory=list, description="Cities to follow; trimmed, case-insensitive")
    )


class NotificationSettingsIn(BaseModel):
    frequency: NotificationFrequency


class Category(BaseModel):
    slug: str
    title: str
