"""Who may see or change an order: the ownership and visibility checks every use case
applies before its rule."""

from __future__ import annotations

from srochno.db import Connection, Record
from srochno.enums import OrderStatus
from srochno.orders import repository
from srochno.orders.errors import NotOwner, OrderNotFound


def visible(order: Record | None, viewer_id: int | None) -> Record:
    """The order, or ``order_not_found`` (also for a deleted order seen by a non-owner)."""
    if order is None or (order["status"] == OrderStatus.deleted and order["owner_id"] != viewer_id):
        raise OrderNotFound()
    return order


async def lock_owned_order(conn: Connection, order_id: str, owner_id: int) -> Record:
    """The order locked for a change by its owner (``not_owner`` for anybody else)."""
    return owned(await repository.lock_order(conn, order_id), owner_id)


def owned(order: Record | None, owner_id: int) -> Record:
    """The order, seen by its owner: ``order_not_found`` or ``not_owner`` otherwise."""
    order = visible(order, owner_id)
    if order["owner_id"] != owner_id:
        raise NotOwner()
    return order
