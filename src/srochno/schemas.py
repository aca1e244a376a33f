"""Building blocks shared by the request and response models of every domain."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Header, Query
from pydantic import AfterValidator, BaseModel, Field

T = TypeVar("T")

MAX_PAGE_SIZE = 100


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters")
    return value


# A string PostgreSQL can store; combine with StringConstraints for lengths. The schema
# documents the rule as a pattern, so clients (and generated requests) know it.
SafeStr = Annotated[
    str, AfterValidator(no_nul), Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})
]


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
