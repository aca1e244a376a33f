from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from srochno.auth.dependencies import CurrentUser
from srochno.config import Settings
from srochno.db import DbSession
from srochno.errors import AUTH_ERRORS, ExecutorNotTaker, NotOwner, OrderNotFound, responses
from srochno.handlers import register_constraint
from srochno.reviews import service
from srochno.reviews.schemas import ClientReviewIn, ComplaintIn, ComplaintOut, ReviewOut
from srochno.schemas import Limit, Offset, Page

router = APIRouter(prefix="/api/reviews", tags=["reviews"])

register_constraint("uq_reviews_order_id_author_id_executor_id", service.AlreadyReviewed)
register_constraint("uq_complaints_order_id_author_id", service.AlreadyComplained)


@router.post(
    "/client",
    status_code=201,
    response_model=ReviewOut,
    responses=responses(
        *AUTH_ERRORS,
        NotOwner,
        OrderNotFound,
        ExecutorNotTaker,
        service.ReviewWindowClosed,
        service.AlreadyReviewed,
    ),
)
async def review_executor(
    body: ClientReviewIn, request: Request, user: CurrentUser, session: DbSession
) -> ReviewOut:
    """The client rates an executor who took the order (once per order and executor)."""
    settings: Settings = request.app.state.settings
    review = await service.review_executor(session, settings, user, body)
    return ReviewOut.model_validate(review)


@router.post(
    "/executor",
    status_code=201,
    response_model=ComplaintOut,
    responses=responses(*AUTH_ERRORS, service.NotATaker, OrderNotFound, service.AlreadyComplained),
)
async def complain(
    body: ComplaintIn, request: Request, user: CurrentUser, session: DbSession
) -> ComplaintOut:
    """An executor who took the order complains about the client (once per order)."""
    settings: Settings = request.app.state.settings
    complaint = await service.complain_about_client(session, settings, user, body)
    return ComplaintOut.model_validate(complaint)


@router.get("", response_model=Page[ReviewOut])
async def list_reviews(
    session: DbSession,
    rating: Annotated[int | None, Query(ge=1, le=5)] = None,
    executor_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[ReviewOut]:
    """Public reviews of executors, newest first."""
    rows, total = await service.list_reviews(
        session, rating=rating, executor_id=executor_id, limit=limit, offset=offset
    )
    return Page[ReviewOut](
        items=[ReviewOut.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
    )
