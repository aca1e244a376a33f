"""Orders as the API shows them: typed dicts of the response models' fields (a test holds
their keys equal), built from rows. The contact only for the owner and the executors who
paid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, TypedDict

from srochno.db import Record
from srochno.enums import OrderStatus
from srochno.geo import AreaView, LatLon, Point, area_view, public_distance_km
from srochno.orders.rules import effective_status, timing
from srochno.users.presenter import average_rating, public_first_name


class OrderView(TypedDict):
    """:class:`~srochno.orders.schemas.OrderOut`."""

    id: str
    category: str
    description: str
    city: str
    contact: str | None
    contact_hidden: bool
    status: str
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
    completed_executor_id: int | None
    location: LatLon | None
    address: str | None
    area: AreaView | None
    distance_km: float | None


class TakeView(TypedDict):
    """:class:`~srochno.orders.schemas.TakeOut`."""

    taken_at: datetime
    price_paid: int
    refunded_at: datetime | None
    complained: bool


class TakenOrderView(TypedDict):
    """:class:`~srochno.orders.schemas.TakenOrder`."""

    order: OrderView
    take: TakeView


class TakeResultView(TakenOrderView):
    """:class:`~srochno.orders.schemas.TakeResult`."""

    balance: int
    replayed: bool


class TakerView(TypedDict):
    """:class:`~srochno.orders.schemas.TakerOut`."""

    executor_id: int
    first_name: str | None
    taken_at: datetime
    refunded_at: datetime | None
    completed_orders_count: int
    average_rating: float | None
    reviews_count: int
    reviewed_by_me: bool


def status_at(order: Mapping[str, Any], now: datetime, no_response_timeout: timedelta) -> str:
    return effective_status(
        order["status"],
        expires_at=order["expires_at"],
        first_taken_at=order["first_taken_at"],
        responded_at=order["responded_at"],
        now=now,
        no_response_timeout=no_response_timeout,
    )


def order_view(
    order: Mapping[str, Any],
    now: datetime,
    no_response_timeout: timedelta,
    *,
    viewer_id: int | None,
    taken_by_me: bool,
    in_list: bool = False,
    near: Point | None = None,
) -> OrderView:
    """``near``: the viewer's position, for ``distance_km``. Where a located order is
    comes out only as its cell (``area``, ``distance_km``), unless the contact does too."""
    is_owner = viewer_id is not None and viewer_id == order["owner_id"]
    show_contact = not in_list and (is_owner or taken_by_me)
    status = status_at(order, now, no_response_timeout)
    left = timing(order["expires_at"] if status == OrderStatus.active else now, now)
    max_executors: int = order["max_executors"]
    executors: int = order["executors_count"]
    cell: int | None = order["cell"]
    located = show_contact and order["lat"] is not None
    address: str | None = order["address"] if show_contact else None
    return {
        "id": order["id"],
        "category": order["category"],
        "description": order["description"],
        "city": order["city"],
        "contact": order["contact"] if show_contact else None,
        "contact_hidden": not show_contact,
        "status": status,
        "city_locked": True,
        "created_at": order["created_at"],
        "expires_at": order["expires_at"],
        "server_time": now,
        "minutes_left": left.minutes_left,
        "seconds_left": left.seconds_left,
        "executors_count": executors,
        "max_executors": max_executors,
        "slots_left": max(0, max_executors - executors),
        "take_price": order["take_price"],
        "is_owner": is_owner,
        "taken_by_me": taken_by_me,
        "responded_at": order["responded_at"],
        "completed_executor_id": order["completed_executor_id"],
        "location": {"lat": order["lat"], "lon": order["lon"]} if located else None,
        "address": address,
        "area": area_view(cell) if cell is not None else None,
        "distance_km": (
            public_distance_km(near, cell) if cell is not None and near is not None else None
        ),
    }


def take_view(
    taken_at: datetime,
    price_paid: int,
    refunded_at: datetime | None = None,
    complained: bool = False,
) -> TakeView:
    return {
        "taken_at": taken_at,
        "price_paid": price_paid,
        "refunded_at": refunded_at,
        "complained": complained,
    }


def taker_view(row: Record) -> TakerView:
    """One executor who took the owner's order, as the owner sees them."""
    return {
        "executor_id": row["executor_id"],
        "first_name": public_first_name(row["first_name"]),
        "taken_at": row["taken_at"],
        "refunded_at": row["refunded_at"],
        "completed_orders_count": row["completed_orders_count"],
        "average_rating": average_rating(row["rating_sum"], row["reviews_count"]),
        "reviews_count": row["reviews_count"],
        "reviewed_by_me": row["reviewed_by_me"],
    }
