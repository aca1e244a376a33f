"""Users as the API shows them: plain dicts of the documented fields, built from rows."""

from __future__ import annotations

from typing import Any

from srochno.contacts import public_name
from srochno.db import Record


def public_first_name(first_name: str | None) -> str | None:
    """A Telegram first name as others see it: whatever carries a contact is cut out
    (ours to hide, not to refuse). Every presenter that shows a name to others uses it."""
    return public_name(first_name)


def average_rating(row: Record) -> float | None:
    count: int = row["reviews_count"]
    return round(row["rating_sum"] / count, 2) if count else None


def public_profile(row: Record) -> dict[str, Any]:
    """What anybody may see: no handle, last name, balance or preferences (a client's
    Telegram handle would bypass the paid contact)."""
    return {
        "id": row["id"],
        "first_name": public_first_name(row["first_name"]),
        "photo_url": row["photo_url"],
        "completed_orders_count": row["completed_orders_count"],
        "average_rating": average_rating(row),
        "reviews_count": row["reviews_count"],
        "complaints_count": row["complaints_count"],
        "created_at": row["created_at"],
    }


def profile(row: Record) -> dict[str, Any]:
    """The user's own profile."""
    return {
        **public_profile(row),
        "first_name": row["first_name"],
        "username": row["username"],
        "last_name": row["last_name"],
        "language_code": row["language_code"],
        "balance": row["balance"],
        "subscribed_categories": row["subscribed_categories"],
        "subscribed_cities": row["subscribed_cities"],
        "notification_frequency": row["notification_frequency"],
    }
