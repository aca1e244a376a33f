"""Creating, reading, editing and deleting orders."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from srochno import clock
from srochno.config import Settings
from srochno.errors import NotOwner, OrderNotActive, OrderNotFound
from srochno.models import Order, Take, User
from srochno.orders.contact import contains_contact
from srochno.orders.errors import CityLocked, ContactInDescription, OrderAlreadyTaken
from srochno.orders.rules import effective_status, normalize_city, timing
from srochno.orders.schemas import OrderCreate, OrderOut, OrderUpdate, TakenOrder, TakeOut
from srochno.schemas import Page

ORDER_ID_BYTES = 9  # 12 URL-safe characters


def new_order_id() -> str:
    return secrets.token_urlsafe(ORDER_ID_BYTES)


def status_now(order: Order, settings: Settings, now: datetime) -> str:
    return effective_status(
        order.status,
        expires_at=order.expires_at,
        first_taken_at=order.first_taken_at,
        responded_at=order.responded_at,
        now=now,
        no_response_timeout=settings.no_response_timeout,
    )


def present(
    order: Order,
    settings: Settings,
    now: datetime,
    *,
    viewer_id: int | None,
    taken_by_me: bool,
    in_list: bool = False,
) -> OrderOut:
    """An order as the viewer may see it: the contact only for its owner and its takers."""
    is_owner = viewer_id is not None and viewer_id == order.owner_id
    show_contact = not in_list and (is_owner or taken_by_me)
    left = timing(order.expires_at, now)
    status = status_now(order, settings, now)
    if status != "active":
        left = timing(now, now)
    return OrderOut(
        id=order.id,
        category=order.category,
        description=order.description,
        city=order.city,
        contact=order.contact if show_contact else None,
        contact_hidden=not show_contact,
        status=status,
        city_locked=True,
        created_at=order.created_at,
        expires_at=order.expires_at,
        server_time=now,
        minutes_left=left.minutes_left,
        seconds_left=left.seconds_left,
        executors_count=order.executors_count,
        max_executors=order.max_executors,
        slots_left=max(0, order.max_executors - order.executors_count),
        take_price=order.take_price,
        is_owner=is_owner,
        taken_by_me=taken_by_me,
        responded_at=order.responded_at,
        completed_executor_id=order.completed_executor_id,
    )


def ensure_no_contact(description: str) -> None:
    if contains_contact(description):
        raise ContactInDescription()


async def create_order(
    session: AsyncSession, settings: Settings, owner: User, data: OrderCreate
) -> Order:
    ensure_no_contact(data.description)
    now = clock.now()
    order = Order(
        id=new_order_id(),
        owner_id=owner.id,
        category=data.category,
        description=data.description,
        city=" ".join(data.city.split()),
        city_key=normalize_city(data.city),
        contact=data.contact,
        status="active",
        max_executors=settings.max_executors_per_order,
        take_price=settings.take_price,
        executors_count=0,
        created_at=now,
        updated_at=now,
        expires_at=now + settings.order_lifetime,
    )
    session.add(order)
    await session.flush()
    return order


async def load_order(
    session: AsyncSession, order_id: str, viewer_id: int | None, *, for_update: bool = False
) -> Order:
    """The order, or ``order_not_found`` (also for a deleted order seen by a non-owner)."""
    query = select(Order).where(Order.id == order_id)
    if for_update:
        query = query.with_for_update(key_share=True).execution_options(populate_existing=True)
    order = (await session.execute(query)).scalar_one_or_none()
    if order is None or (order.status == "deleted" and order.owner_id != viewer_id):
        raise OrderNotFound()
    return order


async def load_owned_order(session: AsyncSession, order_id: str, owner: User) -> Order:
    """The order locked for a change by its owner (``not_owner`` for anybody else)."""
    order = await load_order(session, order_id, owner.id, for_update=True)
    if order.owner_id != owner.id:
        raise NotOwner()
    return order


async def find_take(session: AsyncSession, order_id: str, executor_id: int) -> Take | None:
    query = select(Take).where(Take.order_id == order_id, Take.executor_id == executor_id)
    return (await session.execute(query)).scalar_one_or_none()


async def read_order(
    session: AsyncSession, settings: Settings, order_id: str, viewer: User | None
) -> OrderOut:
    viewer_id = viewer.id if viewer else None
    order = await load_order(session, order_id, viewer_id)
    taken = viewer_id is not None and await find_take(session, order_id, viewer_id) is not None
    return present(order, settings, clock.now(), viewer_id=viewer_id, taken_by_me=taken)


def ensure_editable(order: Order, settings: Settings, now: datetime) -> None:
    if order.executors_count > 0:
        raise OrderAlreadyTaken()
    if status_now(order, settings, now) != "active":
        raise OrderNotActive()


async def update_order(
    session: AsyncSession, settings: Settings, owner: User, order_id: str, data: OrderUpdate
) -> OrderOut:
    order = await load_owned_order(session, order_id, owner)
    now = clock.now()
    ensure_editable(order, settings, now)
    if data.city is not None and normalize_city(data.city) != order.city_key:
        raise CityLocked()
    if data.description is not None:
        ensure_no_contact(data.description)
        order.description = data.description
    if data.category is not None:
        order.category = data.category
    if data.contact is not None:
        order.contact = data.contact
    order.updated_at = now
    await session.flush()
    return present(order, settings, now, viewer_id=owner.id, taken_by_me=False)


async def delete_order(
    session: AsyncSession, settings: Settings, owner: User, order_id: str
) -> None:
    order = await load_owned_order(session, order_id, owner)
    now = clock.now()
    ensure_editable(order, settings, now)
    order.status = "deleted"
    order.updated_at = now
    order.closed_at = now
    await session.flush()


def _feed_filter(
    now: datetime, city: str | None, category: str | None
) -> list[ColumnElement[bool]]:
    conditions = [Order.status == "active", Order.expires_at > now]
    if city is not None:
        conditions.append(Order.city_key == normalize_city(city))
    if category is not None:
        conditions.append(Order.category == category)
    return conditions


async def list_orders(
    session: AsyncSession,
    settings: Settings,
    viewer: User | None,
    *,
    city: str | None,
    category: str | None,
    limit: int,
    offset: int,
) -> Page[OrderOut]:
    """Active, unexpired orders, newest first. Contacts never appear here."""
    now = clock.now()
    conditions = _feed_filter(now, city, category)
    total = await session.scalar(select(func.count()).select_from(Order).where(*conditions))
    taken: ColumnElement[bool] = (
        exists().where(Take.order_id == Order.id, Take.executor_id == viewer.id)
        if viewer is not None
        else false()
    )
    rows = (
        await session.execute(
            select(Order, taken)
            .where(*conditions)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    viewer_id = viewer.id if viewer else None
    items = [
        present(
            row[0],
            settings,
            now,
            viewer_id=viewer_id,
            taken_by_me=bool(row[1]),
            in_list=True,
        )
        for row in rows
    ]
    return Page[OrderOut](items=items, total=total or 0, limit=limit, offset=offset)


async def list_my_orders(
    session: AsyncSession, settings: Settings, owner: User, *, limit: int, offset: int
) -> Page[OrderOut]:
    """Orders the user created (deleted ones left out), newest first, with contacts."""
    now = clock.now()
    mine = (Order.owner_id == owner.id, Order.status != "deleted")
    total = await session.scalar(select(func.count()).select_from(Order).where(*mine))
    orders: Sequence[Order] = (
        await session.scalars(
            select(Order)
            .where(*mine)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    items = [present(o, settings, now, viewer_id=owner.id, taken_by_me=False) for o in orders]
    return Page[OrderOut](items=items, total=total or 0, limit=limit, offset=offset)


async def list_my_takes(
    session: AsyncSession, settings: Settings, executor: User, *, limit: int, offset: int
) -> Page[TakenOrder]:
    """Orders the user took, most recent take first, with contacts."""
    now = clock.now()
    total = await session.scalar(
        select(func.count()).select_from(Take).where(Take.executor_id == executor.id)
    )
    rows = (
        await session.execute(
            select(Order, Take)
            .join(Take, Take.order_id == Order.id)
            .where(Take.executor_id == executor.id)
            .order_by(Take.taken_at.desc(), Take.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    items = [
        TakenOrder(
            order=present(order, settings, now, viewer_id=executor.id, taken_by_me=True),
            take=TakeOut(
                taken_at=take.taken_at, price_paid=take.price_paid, refunded_at=take.refunded_at
            ),
        )
        for order, take in rows
    ]
    return Page[TakenOrder](items=items, total=total or 0, limit=limit, offset=offset)
