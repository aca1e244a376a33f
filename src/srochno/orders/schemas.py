from __future__ import annotations

import re
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
from srochno.enums import OrderStatus, ReportReason, ReportStatus
from srochno.models.reports import MAX_REPORT_COMMENT_LENGTH
from srochno.schemas import NO_NUL_PATTERN, CleanText, Latitude, Longitude, Page, UserId


def _known_category(slug: str) -> str:
    if slug not in CATEGORIES:
        raise ValueError(f"Unknown category {slug!r}; see /api/categories")
    return slug


# The catalog is documented as an enum, so clients and generated requests know the slugs.
CategorySlug = Annotated[
    str,
    AfterValidator(_known_category),
    WithJsonSchema({"type": "string", "enum": list(CATEGORIES)}),
]
Description = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=10, max_length=2000, pattern=NO_NUL_PATTERN
    ),
    CleanText,
]
# A city is a place name: letters (with their combining marks: «Мосќва́»), spaces, hyphens,
# dots and apostrophes. No digits, no @, no links: it is shown to everybody. The same pattern
# is documented in OpenAPI.
CITY_PATTERN = (
    r"^(?:[^\W\d_]|[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    r"\ufe20-\ufe2f]|[ \-.'’ʼ‘`])+$"
)
_CITY = re.compile(CITY_PATTERN)


def _place_name(value: str) -> str:
    if not _CITY.match(value):
        raise ValueError(
            "A city is a place name: letters, spaces, hyphens, dots and apostrophes only"
        )
    return value


City = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=2, max_length=64, pattern=NO_NUL_PATTERN),
    CleanText,
    AfterValidator(_place_name),
    WithJsonSchema({"type": "string", "minLength": 2, "maxLength": 64, "pattern": CITY_PATTERN}),
]
Contact = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=128, pattern=NO_NUL_PATTERN),
    CleanText,
]

Address = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=NO_NUL_PATTERN),
    CleanText,
]


class LocationIn(BaseModel):
    """A point, WGS-84 degrees."""

    model_config = ConfigDict(extra="forbid")

    lat: Latitude
    lon: Longitude


class LocationOut(BaseModel):
    lat: float
    lon: float


class AreaOut(BaseModel):
    """Where an order is, as anybody may see it: the centre of its grid cell (the same for
    every order in the cell) and the cell's side."""

    lat: float
    lon: float
    cell_km: float


class OrderCreate(BaseModel):
    category: CategorySlug = Field(description="A slug from /api/categories")
    description: Description = Field(description="What is needed; no phones, @names or links")
    city: City
    contact: Contact = Field(description="Shown only to the owner and to executors who paid")
    location: LocationIn | None = Field(
        default=None,
        description="The exact point: shown only to the owner and to executors who paid; "
        "others see the order's `area` and `distance_km`",
    )
    address: Address | None = Field(
        default=None,
        description="Street, entrance, floor (up to 200 characters, no contacts): shown "
        "only to the owner and to executors who paid",
    )


class OrderUpdate(BaseModel):
    """Fields to change; omitted fields stay as they are. The city cannot change."""

    category: CategorySlug | None = None
    description: Description | None = None
    city: City | None = None
    contact: Contact | None = None
    address: Address | None = Field(
        default=None, description="The address note (the location itself cannot change)"
    )


class OrderOut(BaseModel):
    id: str
    category: str
    description: str
    city: str
    contact: str | None = Field(description="Null unless you own the order or took it")
    contact_hidden: bool
    status: OrderStatus = Field(
        description=(
            "active, expired, deleted, closed_no_response, completed or cancelled, as of now"
        )
    )
    city_locked: bool
    created_at: datetime
    expires_at: datetime
    server_time: datetime
    minutes_left: int
    seconds_left: int
    executors_count: int
    max_executors: int
    slots_left: int
    take_price: int
    is_owner: bool
    taken_by_me: bool
    responded_at: datetime | None
    completed_executor_id: int | None = None
    location: LocationOut | None = Field(
        default=None, description="The exact point; null unless you own the order or took it"
    )
    address: str | None = Field(
        default=None, description="Null unless you own the order or took it"
    )
    area: AreaOut | None = Field(
        default=None, description="The public position of a located order (null otherwise)"
    )
    distance_km: float | None = Field(
        default=None,
        description="From the position you gave (`near`) to the centre of the order's area, "
        "rounded to 0.5 km",
    )


class OrderPage(Page[OrderOut]):
    next_cursor: str | None = Field(
        default=None,
        description="With `near`: pass it as `cursor` for the next page (null on the last)",
    )


class OrderClientOut(BaseModel):
    """The order's client as an executor sees them before paying: a coarse card (no name,
    no contact, no exact figure: it cannot single out the client's public profile)."""

    rating: float | None = Field(
        description="Mean rating to the half star (1.0, 1.5, … 5.0); null below 5 reviews"
    )
    complaints: Literal["none", "some", "many"] = Field(
        description="Executors' complaints about this client: none, some (1-2), many (3+)"
    )
    contact_verified: bool = Field(
        description="The order's contact is the client's phone confirmed by Telegram"
    )
    refund_if_silent_minutes: int = Field(
        description="A take is refunded if the client responds to nobody within this time"
    )


class ShareOut(BaseModel):
    prepared_message_id: str = Field(description="For `Telegram.WebApp.shareMessage`")
    url: str = Field(description="The t.me link that launches the Mini App on the order")


class TakeOut(BaseModel):
    taken_at: datetime
    price_paid: int
    refunded_at: datetime | None = None
    complained: bool = Field(default=False, description="You complained about this client")


class TakeResult(BaseModel):
    order: OrderOut
    take: TakeOut
    balance: int
    replayed: bool


class TakenOrder(BaseModel):
    order: OrderOut
    take: TakeOut


class CompleteIn(BaseModel):
    executor_id: UserId


class TakerOut(BaseModel):
    """One executor who took my order, as its owner sees them."""

    executor_id: int
    first_name: str | None
    taken_at: datetime
    refunded_at: datetime | None
    completed_orders_count: int
    average_rating: float | None = Field(description="Mean rating 1..5; null until rated")
    reviews_count: int
    reviewed_by_me: bool = Field(description="I already rated this executor for this order")


ReportComment = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, max_length=MAX_REPORT_COMMENT_LENGTH, pattern=NO_NUL_PATTERN
    ),
    CleanText,
]


class ReportIn(BaseModel):
    reason: ReportReason = Field(
        description="contact_in_text: the public text carries a way to reach the client; "
        "fake: the order is not real; other: say why in the comment"
    )
    comment: ReportComment | None = Field(
        default=None, description="Read by moderators only (up to 500 characters)"
    )


class ReportOut(BaseModel):
    """A report as its author sees it: it changes nothing until a moderator decides."""

    id: int
    order_id: str
    reason: ReportReason
    comment: str | None
    status: ReportStatus
    created_at: datetime
