from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, WithJsonSchema

from srochno.catalog import CATEGORIES
from srochno.enums import Frequency
from srochno.schemas import NO_NUL_PATTERN, CleanText

CityName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=64, pattern=NO_NUL_PATTERN),
    CleanText,
]
CategoryName = Annotated[str, WithJsonSchema({"type": "string", "enum": list(CATEGORIES)})]


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


class Profile(PublicProfile):
    """The user's own profile."""

    username: str | None
    last_name: str | None
    language_code: str | None
    balance: int = Field(description="Internal balance in whole rubles")
    subscribed_categories: list[str]
    subscribed_cities: list[str] = Field(description="Normalised city keys")
    notification_frequency: Frequency


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


class NotificationSettingsIn(BaseModel):
    frequency: Frequency


class Category(BaseModel):
    slug: str
    title: str
