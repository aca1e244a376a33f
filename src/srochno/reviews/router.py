from __future__ import annotations

from typing import Annotated

from fastapi import Query
from pydantic import AfterValidator
from starlette.responses import Response

from srochno.auth.dependencies import CurrentUser
from srochno.auth.errors import AUTH_ERRORS
from srochno.enums import BIGINT_MAX
from srochno.errors import DatabaseUnavailable, responses
from srochno.orders.errors import (
    ContactInDescription,
    ExecutorNotTaker,
    NotOwner,
    OrderNotFound,
)
from srochno.responses import json_response
from srochno.reviews import service
from srochno.reviews.errors import AlreadyComplained, AlreadyReviewed, NotATaker, ReviewWindowClosed
from srochno.reviews.schemas import (
    ClientReviewIn,
    ComplaintIn,
    ComplaintOut,
    PublicReview,
    ReviewOut,
)
from srochno.schemas import NOT_ZERO_SCHEMA, USER_ID_MIN, Limit, Offset, Page, not_zero
from srochno.state import ReadConnection, SettingsDep, WriteConnection, domain_router

router = domain_router(prefix="/api/reviews", tags=["reviews"])


@router.post(
    "/client",
    status_code=201,
    response_model=ReviewOut,
    responses=responses(
        *AUTH_ERRORS,
        NotOwner,
        OrderNotFound,
        ExecutorNotTaker,
        ReviewWindowClosed,
        AlreadyReviewed,
        ContactInDescription,
    ),
)
async def review_executor(
    body: ClientReviewIn, user: CurrentUser, conn: WriteConnection, settings: SettingsDep
) -> Response:
    """The client rates an executor who took the order (once per order and executor)."""
    return json_response(await service.review_executor(conn, settings, user.id, body), 201)


@router.post(
    "/executor",
    status_code=201,
    response_model=ComplaintOut,
    responses=responses(
        *AUTH_ERRORS, NotATaker, OrderNotFound, AlreadyComplained, ContactInDescription
    ),
)
async def complain(body: ComplaintIn, user: CurrentUser, conn: WriteConnection) -> Response:
    """An executor who took the order complains about the client (once per order)."""
    return json_response(await service.complain_about_client(conn, user.id, body), 201)


@router.get("", response_model=Page[PublicReview], responses=responses(DatabaseUnavailable))
async def list_reviews(
    conn: ReadConnection,
    rating: Annotated[int | None, Query(ge=1, le=5)] = None,
    executor_id: Annotated[
        int | None,
        Query(ge=USER_ID_MIN, le=BIGINT_MAX, json_schema_extra=NOT_ZERO_SCHEMA),
        AfterValidator(not_zero),
    ] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Public reviews of executors, newest first."""
    return json_response(
        await service.list_reviews(
            conn, rating=rating, executor_id=executor_id, limit=limit, offset=offset
        )
    )
