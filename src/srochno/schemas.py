"""Building blocks shared by the request and response models of every domain."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Header, Query
from pydantic import BaseModel, StringConstraints

T = TypeVar("T")

MAX_PAGE_SIZE = 100


# A string PostgreSQL can store: no NUL character. Combine it with StringConstraints for
# trimming and lengths. The rule is a pattern, not a validator function, so that it stays
# inside the one string check: trimming comes first and the lengths count what is stored
# (a validator here would have the lengths checked before trimming). The schema shows it.
NO_NUL_PATTERN = "^[^\\u0000]*$"
SafeStr = Annotated[str, StringConstraints(pattern=NO_NUL_PATTERN)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size, at most 100")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=128,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID); a retry with the same key is not repeated",
    ),
]
