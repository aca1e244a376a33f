"""Reviews of executors and complaints about clients.

"One per …" rules are unique constraints; rating aggregates are stored as a sum and a
count and changed with one atomic ``UPDATE … SET x = x + …``, so they never drift."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srochno import clock
from srochno.config import Settings
from srochno.errors import AppError, ExecutorNotTaker, NotOwner
from srochno.models import Complaint, Review, User
from srochno.orders.service import find_take, load_order
from srochno.reviews.schemas import ClientReviewIn, ComplaintIn


class ReviewWindowClosed(AppError):
    status = 409
    code = "review_window_closed"
    message = "The review window of this order has closed"


class AlreadyReviewed(AppError):
    status = 409
    code = "already_reviewed"
    message = "You have already reviewed this executor for this order"


class AlreadyComplained(AppError):
    status = 409
    code = "already_complained"
    message = "You have already complained about this order"


class NotATaker(AppError):
    status = 403
    code = "not_a_taker"
    message = "Only an executor who took the order can complain"


async def review_executor(
    session: AsyncSession, settings: Settings, author: User, data: ClientReviewIn
) -> Review:
    order = await load_order(session, data.order_id, author.id)
    if order.owner_id != author.id:
        raise NotOwner()
    if await find_take(session, order.id, data.executor_id) is None:
        raise ExecutorNotTaker()
    now = clock.now()
    if now > order.created_at + settings.review_window:
        raise ReviewWindowClosed()
    review = Review(
        order_id=order.id,
        author_id=author.id,
        executor_id=data.executor_id,
        rating=data.rating,
        comment=data.comment or None,
        created_at=now,
    )
    session.add(review)
    await session.flush()  # uq_reviews_order_id_author_id_executor_id → already_reviewed
    await session.execute(
        update(User)
        .where(User.id == data.executor_id)
        .values(rating_sum=User.rating_sum + data.rating, reviews_count=User.reviews_count + 1)
    )
    return review


async def complain_about_client(
    session: AsyncSession, settings: Settings, author: User, data: ComplaintIn
) -> Complaint:
    order = await load_order(session, data.order_id, author.id)
    if await find_take(session, order.id, author.id) is None:
        raise NotATaker()
    now = clock.now()
    complaint = Complaint(
        order_id=order.id,
        author_id=author.id,
        client_id=order.owner_id,
        reason=data.reason,
        comment=data.comment or None,
        created_at=now,
    )
    session.add(complaint)
    await session.flush()  # uq_complaints_order_id_author_id → already_complained
    await session.execute(
        update(User)
        .where(User.id == order.owner_id)
        .values(complaints_count=User.complaints_count + 1)
    )
    return complaint


async def list_reviews(
    session: AsyncSession,
    *,
    rating: int | None,
    executor_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[Review], int]:
    query = select(Review)
    if rating is not None:
        query = query.where(Review.rating == rating)
    if executor_id is not None:
        query = query.where(Review.executor_id == executor_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = (
        await session.scalars(query.order_by(Review.id.desc()).limit(limit).offset(offset))
    ).all()
    return list(rows), total or 0
