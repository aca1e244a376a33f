from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from srochno.schemas import SafeStr

Comment = Annotated[SafeStr, StringConstraints(strip_whitespace=True, max_length=1000)]
ComplaintReason = Literal["no_response", "fake_order", "wrong_contact", "rude", "other"]
OrderRef = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class ClientReviewIn(BaseModel):
    order_id: OrderRef
    executor_id: int = Field(ge=1, le=2**63 - 1)
    rating: int = Field(ge=1, le=5)
    comment: Comment | None = None


class ComplaintIn(BaseModel):
    order_id: OrderRef
    reason: ComplaintReason
    comment: Comment | None = None


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: str
    author_id: int
    executor_id: int
    rating: int
    comment: str | None
    created_at: datetime


class ComplaintOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: str
    author_id: int
    client_id: int
    reason: ComplaintReason
    comment: str | None
    created_at: datetime
