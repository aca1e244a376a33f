"""A user as the code holds one: a frozen, typed object built once from the user's row
(the signed-in user of a request, a profile read)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from srochno.db import Record


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

    @classmethod
    def from_row(cls, row: Record) -> Account:
        """The account of a row read with ``USER_COLUMNS`` (positional: the same order)."""
        values = list(row.values())
        values[13] = tuple(values[13])
        values[14] = tuple(values[14])
        return cls(*values)


FIELDS = tuple(field.name for field in fields(Account))
