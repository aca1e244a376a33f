"""Orders as the API shows them: plain dicts of :class:`~srochno.orders.schemas.OrderOut`'s
fields, built from rows. The contact only for the owner and the executors who paid."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from srochno.enums import OrderStatus
from srochno.orders.rules import effective_status, timing


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
) -> dict[str, Any]:
    is_owner = viewer_id is not None and viewer_id == order["owner_id"]
    show_contact = not in_list and (is_owner or taken_by_me)
    status = status_at(order, now, no_response_timeout)
    left = timing(order["expires_at"] if status == OrderStatus.active else now, now)
    max_executors: int = order["max_executors"]
    executors: int = order["executors_count"]
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
    }


def take_view(
    taken_at: datetime, price_paid: int, refunded_at: datetime | None = None
) -> dict[str, Any]:
    return {"taken_at": taken_at, "price_paid": price_paid, "refunded_at": refunded_at}
