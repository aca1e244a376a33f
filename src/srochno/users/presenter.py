"""Users as the API shows them: typed dicts of the documented fields (a test holds their
keys equal to the response models' fields), built from an :class:`Account`."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from srochno import clock
from srochno.contacts import public_name
from srochno.users.account import Account


def public_first_name(first_name: str | None) -> str | None:
    """A Telegram first name as others see it: whatever carries a contact is cut out
    (ours to hide, not to refuse). Every presenter that shows a name to others uses it."""
    return public_name(first_name)


class WorkAreaView(TypedDict):
    lat: float
    lon: float
    radius_km: float


class PublicProfileView(TypedDict):
    id: int
    first_name: str | None
    photo_url: str | None
    completed_orders_count: int
    average_rating: float | None
    reviews_count: int
    complaints_count: int
    created_at: datetime
    phone_verified: bool


class ProfileView(PublicProfileView):
    username: str | None
    last_name: str | None
    language_code: str | None
    balance: int
    subscribed_categories: list[str]
    subscribed_cities: list[str]
    notification_frequency: str
    verified_phone: str | None
    allows_write_to_pm: bool
    notifications_reach: str
    area: WorkAreaView | None
    on_duty_until: datetime | None
    email: str | None


def notifications_reach(user: Account) -> str:
    """Whether the bot can write to the user: ``blocked`` (they blocked it),
    ``needs_start`` (they never started it nor allowed writing: messages wait), ``ok``."""
    if user.is_web:  # no Telegram chat: its notifications are e-mails
        return "email"
    if user.bot_blocked:
        return "blocked"
    if user.needs_start or not (user.allows_write_to_pm or user.bot_started):
        return "needs_start"
    return "ok"


def average_rating(rating_sum: int, count: int) -> float | None:
    return round(rating_sum / count, 2) if count else None


def public_profile(user: Account) -> PublicProfileView:
    """What anybody may see: no handle, last name, balance or preferences (a client's
    Telegram handle would bypass the paid contact)."""
    return _profile_base(user, public_first_name(user.first_name))


def _profile_base(user: Account, first_name: str | None) -> PublicProfileView:
    return {
        "id": user.id,
        "first_name": first_name,
        "photo_url": user.photo_url,
        "completed_orders_count": user.completed_orders_count,
        "average_rating": average_rating(user.rating_sum, user.reviews_count),
        "reviews_count": user.reviews_count,
        "complaints_count": user.complaints_count,
        "created_at": user.created_at,
        "phone_verified": user.verified_phone is not None,
    }


def profile(user: Account) -> ProfileView:
    """The user's own profile: their name as it is (the contact detector runs only for
    what others see)."""
    return {
        **_profile_base(user, user.first_name),
        "username": user.username,
        "last_name": user.last_name,
        "language_code": user.language_code,
        "balance": user.balance,
        "subscribed_categories": list(user.subscribed_categories),
        "subscribed_cities": list(user.subscribed_cities),
        "notification_frequency": user.notification_frequency,
        "verified_phone": user.verified_phone,
        "allows_write_to_pm": user.allows_write_to_pm,
        "notifications_reach": notifications_reach(user),
        "area": work_area(user),
        "on_duty_until": on_duty_until(user),
        "email": user.email,
    }


def work_area(user: Account) -> WorkAreaView | None:
    if user.area_lat is None or user.area_lon is None or user.area_radius_km is None:
        return None
    return {"lat": user.area_lat, "lon": user.area_lon, "radius_km": user.area_radius_km}


def on_duty_until(user: Account) -> datetime | None:
    """Until when the user is on duty; None when off (or when the time has passed)."""
    until = user.on_duty_until
    return until if until is not None and until > clock.now() else None
