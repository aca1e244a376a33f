"""Use cases of orders: create, read, edit, delete, and the lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from srochno import clock, jobs, metrics
from srochno.catalog import display_city, normalize_city
from srochno.config import Settings
from srochno.contacts import find_in_fields
from srochno.db import Connection, Record
from srochno.enums import OrderStatus
from srochno.geo import cell_of
from srochno.ids import new_id
from srochno.orders import repository
from srochno.orders.errors import (
    CityLocked,
    ContactInDescription,
    OrderAlreadyTaken,
    OrderNotActive,
)
from srochno.orders.guards import lock_owned_order, owned, visible
from srochno.orders.presenter import (
    OrderView,
    TakenOrderView,
    TakerView,
    order_view,
    status_at,
    take_view,
    taker_view,
)
from srochno.orders.quota import ensure_below_quota
from srochno.orders.schemas import OrderCreate, OrderUpdate
from srochno.responses import page

ORDER_ID_BYTES = 9  # 12 URL-safe characters


def new_order_id() -> str:
    return new_id(ORDER_ID_BYTES)


def ensure_public(**texts: str | None) -> None:
    """Refuse public texts that carry a way to reach somebody (the paid contact), each
    alone and all together in the given order (a phone split between two fields)."""
    found = find_in_fields(texts)
    if found is not None:
        raise ContactInDescription.at(found, texts[found.field] or "")


async def create_order(
    conn: Connection, settings: Settings, owner_id: int, data: OrderCreate
) -> OrderView:
    ensure_public(city=data.city, description=data.description, address=data.address)
    now = clock.now()
    point = data.location
    await ensure_below_quota(conn, settings, owner_id, now)
    order: dict[str, Any] = {
        "id": new_order_id(),
        "owner_id": owner_id,
        "category": data.category,
        "description": data.description,
        "city": display_city(data.city),
        "city_key": normalize_city(data.city),
        "contact": data.contact,
        "status": OrderStatus.active,
        "max_executors": settings.max_executors_per_order,
        "take_price": settings.take_price,
        "executors_count": 0,
        "created_at": now,
        "updated_at": now,
        "expires_at": now + settings.order_lifetime,
        "first_taken_at": None,
        "responded_at": None,
        "completed_at": None,
        "completed_executor_id": None,
        "closed_at": None,
        "lat": point.lat if point else None,
        "lon": point.lon if point else None,
        "address": data.address,
        "cell": cell_of(point.lat, point.lon) if point else None,
    }
    await repository.insert_order(conn, order)
    await jobs.order_created(conn, order["id"])
    metrics.ORDERS_CREATED.inc()
    return order_view(
        order, now, settings.no_response_timeout, viewer_id=owner_id, taken_by_me=False
    )


async def read_order(
    conn: Connection, settings: Settings, order_id: str, viewer_id: int | None
) -> OrderView:
    order = visible(await repository.find_order(conn, order_id, viewer_id), viewer_id)
    return order_view(
        order,
        clock.now(),
        settings.no_response_timeout,
        viewer_id=viewer_id,
        taken_by_me=order["taken_by_me"],
    )


def ensure_editable(order: Record, settings: Settings, now: datetime) -> None:
    if order["executors_count"] > 0:
        raise OrderAlreadyTaken()
    if status_at(order, now, settings.no_response_timeout) != OrderStatus.active:
        raise OrderNotActive()


async def update_order(
    conn: Connection, settings: Settings, owner_id: int, order_id: str, data: OrderUpdate
) -> OrderView:
    order = await lock_owned_order(conn, order_id, owner_id)
    now = clock.now()
    ensure_editable(order, settings, now)
    if data.city is not None and normalize_city(data.city) != order["city_key"]:
        raise CityLocked()
    address = data.address if data.address is not None else order["address"]
    ensure_public(
        city=order["city"],
        description=data.description if data.description is not None else order["description"],
        address=address,
    )
    updated = await repository.update_order(
        conn,
        order_id,
        data.category if data.category is not None else order["category"],
        data.description if data.description is not None else order["description"],
        data.contact if data.contact is not None else order["contact"],
        now,
        address,
    )
    return order_view(
        updated, now, settings.no_response_timeout, viewer_id=owner_id, taken_by_me=False
    )


async def delete_order(conn: Connection, settings: Settings, owner_id: int, order_id: str) -> None:
    order = await lock_owned_order(conn, order_id, owner_id)
    now = clock.now()
    ensure_editable(order, settings, now)
    await repository.delete_order(conn, order_id, now)


async def list_orders(
    conn: Connection,
    settings: Settings,
    viewer_id: int | None,
    *,
    city: str | None,
    category: str | None,
    limit: int,
    offset: int,
    own: Connection | None = None,
) -> dict[str, Any]:
    """Active orders, newest first: not expired and not past the no-response deadline.
    Contacts never appear here. Read on ``conn``, which may be a replica's: then which of
    them the viewer has taken is read on ``own`` (the primary: the viewer's own reads)."""
    now = clock.now()
    timeout = settings.no_response_timeout
    rows, total = await repository.feed(
        conn,
        now=now,
        deadline=now - timeout,
        city_key=normalize_city(city) if city else None,
        category=category,
        viewer_id=viewer_id,
        limit=limit,
        offset=offset,
    )
    if own is not None and viewer_id is not None and rows:
        taken = await repository.taken_among(own, viewer_id, [row["id"] for row in rows])
        taken_by_me = [row["id"] in taken for row in rows]
    else:
        taken_by_me = [row["taken_by_me"] for row in rows]
    items = [
        order_view(row, now, timeout, viewer_id=viewer_id, taken_by_me=mine, in_list=True)
        for row, mine in zip(rows, taken_by_me, strict=True)
    ]
    return page(items, total, limit, offset)


async def list_takers(conn: Connection, owner_id: int, order_id: str) -> list[TakerView]:
    """Who took my order (owner only): the executors I can complete it with and rate."""
    owned(await repository.find_order(conn, order_id, owner_id), owner_id)
    return [taker_view(row) for row in await repository.takers_of(conn, order_id, owner_id)]


async def list_my_orders(
    conn: Connection, settings: Settings, owner_id: int, *, limit: int, offset: int
) -> dict[str, Any]:
    """Orders the user created (deleted ones left out), newest first, with contacts."""
    now = clock.now()
    rows, total = await repository.orders_of(conn, owner_id, limit, offset)
    timeout = settings.no_response_timeout
    items = [order_view(r, now, timeout, viewer_id=owner_id, taken_by_me=False) for r in rows]
    return page(items, total, limit, offset)


async def list_my_takes(
    conn: Connection, settings: Settings, executor_id: int, *, limit: int, offset: int
) -> dict[str, Any]:
    """Orders the user took, most recent take first, with contacts."""
    now = clock.now()
    rows, total = await repository.takes_of(conn, executor_id, limit, offset)
    timeout = settings.no_response_timeout
    items: list[TakenOrderView] = [
        {
            "order": order_view(r, now, timeout, viewer_id=executor_id, taken_by_me=True),
            "take": take_view(
                r["my_taken_at"], r["my_price_paid"], r["my_refunded_at"], r["my_complained"]
            ),
        }
        for r in rows
    ]
    return page(items, total, limit, offset)
