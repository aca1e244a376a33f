"""What an executor may know of an order's client before paying for the contact: a coarse
card (the rating to the half star once there are enough reviews, complaints as a band, and
whether the contact is the client's verified phone).

The card is coarse on purpose: the public profile (``GET /api/users/{id}``) shows the exact
figures, and executor ids are public, so exact figures on the card would single out the
client's profile (and their Telegram id) without paying for the contact. The card is a
function of the bands only: clients whose figures differ within a band get the same card."""

from __future__ import annotations

from typing import Literal, TypedDict

from srochno.config import Settings
from srochno.db import Connection
from srochno.orders.guards import visible

CARD_MIN_REVIEWS = 5
"""Below this many reviews the card shows no rating (a few reviews name their authors)."""
SOME_COMPLAINTS_MAX = 2
"""Complaints: none (0), some (1..this), many (more)."""

ComplaintsBand = Literal["none", "some", "many"]

# The contact is the verified phone when their digits are the same (the contact itself is
# never read out here).
CLIENT_OF_ORDER = """
SELECT o.status, o.owner_id, u.rating_sum, u.reviews_count, u.complaints_count,
       u.verified_phone IS NOT NULL
         AND regexp_replace(o.contact, '[^0-9]', '', 'g')
             = regexp_replace(u.verified_phone, '[^0-9]', '', 'g') AS contact_verified
FROM orders o JOIN users u ON u.id = o.owner_id
WHERE o.id = $1
"""


class ClientView(TypedDict):
    rating: float | None
    complaints: ComplaintsBand
    contact_verified: bool
    refund_if_silent_minutes: int


def card_rating(rating_sum: int, reviews_count: int) -> float | None:
    """The mean rating to the nearest half star (halves round up), or None below
    :data:`CARD_MIN_REVIEWS` reviews. Integer arithmetic: no float edge at the halves."""
    if reviews_count < CARD_MIN_REVIEWS:
        return None
    half_stars = (4 * rating_sum + reviews_count) // (2 * reviews_count)
    return half_stars / 2


def complaints_band(complaints_count: int) -> ComplaintsBand:
    if complaints_count <= 0:
        return "none"
    if complaints_count <= SOME_COMPLAINTS_MAX:
        return "some"
    return "many"


def client_card(
    rating_sum: int,
    reviews_count: int,
    complaints_count: int,
    contact_verified: bool,
    refund_if_silent_minutes: int,
) -> ClientView:
    """The card of a client with these figures (pure)."""
    return {
        "rating": card_rating(rating_sum, reviews_count),
        "complaints": complaints_band(complaints_count),
        "contact_verified": contact_verified,
        "refund_if_silent_minutes": refund_if_silent_minutes,
    }


async def client_of_order(
    conn: Connection, settings: Settings, order_id: str, viewer_id: int | None
) -> ClientView:
    """The card of the order's client, under the order's own visibility rule (a deleted
    order is ``order_not_found`` to all but its owner)."""
    row = visible(await conn.fetchrow(CLIENT_OF_ORDER, order_id), viewer_id)
    return client_card(
        row["rating_sum"],
        row["reviews_count"],
        row["complaints_count"],
        row["contact_verified"],
        int(settings.no_response_timeout.total_seconds() // 60),
    )
