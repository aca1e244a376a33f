"""Building blocks shared by the request and response models of every domain."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Header, Query
from pydantic import BaseModel, BeforeValidator, Field, Strict, StringConstraints

from srochno.enums import BIGINT_MAX

T = TypeVar("T")

MAX_PAGE_SIZE = 100


# A string PostgreSQL can store: no NUL character. Combine it with StringConstraints for
# trimming and lengths. The rule is a pattern, not a validator function, so that it stays
# inside the one string check: trimming comes first and the lengths count what is stored.
NO_NUL_PATTERN = "^[^\\u0000]*$"
SafeStr = Annotated[str, StringConstraints(pattern=NO_NUL_PATTERN)]

# Characters that show nothing but are not Unicode white space: Hangul fillers, the
# Braille blank, the Khmer vowel-inherent signs. (Format characters, category Cf, too.)
INVISIBLE = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


# Combining marks: shown only on a letter before them; a text made only of them is blank.
MARKS = frozenset({"Mn", "Me", "Mc"})


def _invisible(ch: str) -> bool:
    return ch.isspace() or ch in INVISIBLE or unicodedata.category(ch) == "Cf"


def clean_text(value: Any) -> Any:
    """Body text as stored: valid Unicode (a lone surrogate is refused), trimmed of white
    space and invisible or format characters at both ends, so a text made only of them is
    empty and its length is checked on what is stored. Runs before the string check."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode (no lone surrogates)") from None
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    value = value[start:end]
    if all(_invisible(ch) or unicodedata.category(ch) in MARKS for ch in value):
        return ""  # only marks (with nothing to sit on) or invisible characters: no text
    return value


CleanText = BeforeValidator(clean_text)
"""Put it last in a text field's ``Annotated``, after its ``StringConstraints``."""

StrictInt = Strict()
"""JSON integers only: ``true``, ``"5"`` and ``1.0`` are refused."""
EntityId = Annotated[int, StrictInt, Field(ge=1, le=BIGINT_MAX)]
"""A Telegram id or another BIGINT key in a request body."""


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
