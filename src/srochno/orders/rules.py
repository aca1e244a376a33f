"""Pure rules of an order's life: what status it is in at a given moment."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

# Statuses in which the owner can still react (respond, complete).
OPEN_STATUSES = frozenset({"active", "expired"})


@dataclass(frozen=True, slots=True)
class Timing:
    seconds_left: int
    minutes_left: int


def effective_status(
    status: str,
    *,
    expires_at: datetime,
    first_taken_at: datetime | None,
    responded_at: datetime | None,
    now: datetime,
    no_response_timeout: timedelta,
) -> str:
    """The status an order has at ``now``, whether or not the background job has run.

    A taken order nobody answered is ``closed_no_response`` from the moment its deadline
    passes; an active order past ``expires_at`` is ``expired`` at once.
    """
    if (
        status in OPEN_STATUSES
        and first_taken_at is not None
        and responded_at is None
        and now >= first_taken_at + no_response_timeout
    ):
        return "closed_no_response"
    if status == "active" and now >= expires_at:
        return "expired"
    return status


def timing(expires_at: datetime, now: datetime) -> Timing:
    """Time left until expiry; minutes are rounded up (30 s left reads as 1 minute)."""
    seconds = max(0, math.ceil((expires_at - now).total_seconds()))
    return Timing(seconds_left=seconds, minutes_left=math.ceil(seconds / 60))


def normalize_city(city: str) -> str:
    """The key cities are compared by: trimmed, inner spaces collapsed, case-folded."""
    return " ".join(city.split()).casefold()
