"""Users as the API shows them: typed dicts of the documented fields (a test holds their
keys equal to the response models' fields), built from an :class:`Account`."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from srochno.contacts import public_name
from srochno.users.account import Account


def public_first_name(first_name: str | None) -> str | None:
    """A Telegram first name as others see it: whatever carries a contact is cut out
    (ours to hide, not to refuse). Every presenter that shows a name to others uses it."""
    return public_name(first_name)


class PublicProfileView(TypedDict):
    id: int
    first_name: str | None
    photo_url: str | None
    completed_orders_count: int
    average_rating: float | None
    reviews_count: int
    complaints_count: int
    created_at: datetime


class ProfileView(PublicProfileView):
    username: str | None
    last_name: str | None
    language_code: str | None
    balance: int
    subscribed_categories: list[str]
    subscribed_cities: list[str]
    notification_frequency: str


def average_rating(rating_sum: int, count: int) -> float | None:
    return round(rating_sum / count, 2) if count else None


def public_profile(user: Account) -> PublicProfileView:
    """What anybody may see: no handle, last name, balance or preferences (a client's
    Telegram handle would bypass the paid contact)."""
    return {
        "id": user.id,
        "first_name": public_first_name(user.first_name),
        "photo_url": user.photo_url,
        "completed_orders_count": user.completed_orders_count,
        "average_rating": average_rating(user.rating_sum, user.reviews_count),
        "reviews_count": user.reviews_count,
        "complaints_count": user.complaints_count,
        "created_at": user.created_at,
    }


def profile(user: Account) -> ProfileView:
    """The user's own profile."""
    return {
        **public_profile(user),
        "first_name": user.first_name,
        "username": user.username,
        "last_name": user.last_name,
        "language_code": user.language_code,
        "balance": user.balance,
        "subscribed_categories": list(user.subscribed_categories),
        "subscribed_cities": list(user.subscribed_cities),
        "notification_frequency": user.notification_frequency,
    }
