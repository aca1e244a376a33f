"""Who took my order: the owner's list of takers, so the owner can complete and rate.

The order JSON carries no executor ids (only counts), yet completing an order and rating an
executor both need one. This is the owner-only list those actions pick from.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from srochno.auth.dependencies import CurrentUser
from srochno.db import DbSession
from srochno.errors import AUTH_ERRORS, NotOwner, OrderNotFound, responses
from srochno.models import Review, Take, User
from srochno.orders.service import load_order
from srochno.users.schemas import average_rating

router = APIRouter(tags=["orders"])


class TakerOut(BaseModel):
    executor_id: int
    first_name: str | None
    taken_at: datetime
    refunded_at: datetime | None
    completed_orders_count: int
    average_rating: float | None = Field(description="Mean rating 1..5; null until rated")
    reviews_count: int
    reviewed_by_me: bool = Field(description="I already rated this executor for this order")


async def list_takers(session: AsyncSession, owner: User, order_id: str) -> list[TakerOut]:
    order = await load_order(session, order_id, owner.id)
    if order.owner_id != owner.id:
        raise NotOwner()
    reviewed = exists().where(
        Review.order_id == Take.order_id,
        Review.author_id == owner.id,
        Review.executor_id == Take.executor_id,
    )
    rows = (
        await session.execute(
            select(Take, User, reviewed)
            .join(User, User.id == Take.executor_id)
            .where(Take.order_id == order.id)
            .order_by(Take.taken_at, Take.id)
        )
    ).all()
    return [
        TakerOut(
            executor_id=take.executor_id,
            first_name=user.first_name,
            taken_at=take.taken_at,
            refunded_at=take.refunded_at,
            completed_orders_count=user.completed_orders_count,
            average_rating=average_rating(user),
            reviews_count=user.reviews_count,
            reviewed_by_me=bool(was_reviewed),
        )
        for take, user, was_reviewed in rows
    ]


@router.get(
    "/api/orders/{order_id}/takers",
    response_model=list[TakerOut],
    responses=responses(*AUTH_ERRORS, NotOwner, OrderNotFound),
)
async def read_takers(
    order_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")],
    user: CurrentUser,
    session: DbSession,
) -> list[TakerOut]:
    """The executors who took my order, first taker first (owner only)."""
    return await list_takers(session, user, order_id)
