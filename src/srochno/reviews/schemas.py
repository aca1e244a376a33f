from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from srochno.enums import ComplaintReason
from srochno.schemas import NO_NUL_PATTERN, CleanText, StrictInt, UserId

Comment = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=1000, pattern=NO_NUL_PATTERN),
    CleanText,
]
OrderRef = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class ClientReviewIn(BaseModel):
    order_id: OrderRef
    executor_id: UserId
    rating: Annotated[int, StrictInt, Field(ge=1, le=5)]
    comment: Comment | None = None


class ComplaintIn(BaseModel):
    order_id: OrderRef
    reason: ComplaintReason
    comment: Comment | None = None


class ReviewOut(BaseModel):
    """A review as the author wrote it."""

    id: int
    order_id: str
    author_id: int
    executor_id: int
    rating: int
    comment: str | None
    created_at: datetime


class PublicReview(BaseModel):
    """A review as anybody sees it: no author id and no order id (together they would
    name the client of an order)."""

    id: int
    executor_id: int
    rating: int
    comment: str | None
    author_name: str | None = Field(description="The author's first name")
    created_at: datetime


class ComplaintOut(BaseModel):
    id: int
    order_id: str
    author_id: int
    client_id: int
    reason: ComplaintReason
    comment: str | None
    created_at: datetime
