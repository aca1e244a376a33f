"""A user as the code holds one: a frozen, typed object built once from the user's row
(the signed-in user of a request, a profile read)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from srochno.db import Record
from srochno.jobs import is_web_account


@dataclass(frozen=True, slots=True)
class Account:
    """Every column of :data:`srochno.users.repository.USER_COLUMNS`, in its order."""

    id: int
    username: str | None
    first_name: str | None
    last_name: str | None
    language_code: str | None
    photo_url: str | None
    is_premium: bool
    is_banned: bool
    balance: int
    completed_orders_count: int
    rating_sum: int
    reviews_count: int
    complaints_count: int
    subscribed_categories: tuple[str, ...]
    subscribed_cities: tuple[str, ...]
    notification_frequency: str
    created_at: datetime
    updated_at: datetime
    allows_write_to_pm: bool
    bot_blocked: bool
    needs_start: bool
    bot_started: bool
    verified_phone: str | None
    area_lat: float | None = None
    area_lon: float | None = None
    area_radius_km: float | None = None
    on_duty_until: datetime | None = None
    email: str | None = None

    @property
    def is_web(self) -> bool:
        """A web account (signed in by e-mail, negative id): no Telegram, no Stars, no bot."""
        return is_web_account(self.id)

    @classmethod
    def from_row(cls, row: Record) -> Account:
        """The account of a row read with ``USER_COLUMNS`` (positional: the same order)."""
        values = list(row.values())
        values[13] = tuple(values[13])
        values[14] = tuple(values[14])
        return cls(*values)


FIELDS = tuple(field.name for field in fields(Account))
