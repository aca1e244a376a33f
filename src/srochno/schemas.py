"""Building blocks shared by the request and response models of every domain."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Header, Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, Strict, StringConstraints

from srochno.enums import BIGINT_MAX
from srochno.geo import rounded

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
"""A BIGINT key in a request body."""
USER_ID_MIN = -BIGINT_MAX
"""Web accounts have negative ids (``web_user_ids``), Telegram's users positive ones."""


def not_zero(value: int | None) -> int | None:
    """Refuses 0 (an AfterValidator of user ids): no user has it."""
    if value == 0:
        raise ValueError("no user has the id 0")
    return value


NOT_ZERO_SCHEMA: dict[str, Any] = {"not": {"const": 0}}
UserId = Annotated[
    int,
    StrictInt,
    Field(ge=USER_ID_MIN, le=BIGINT_MAX, json_schema_extra=NOT_ZERO_SCHEMA),
    AfterValidator(not_zero),
]
"""A user's id in a request body: a Telegram id, or a web account's negative id."""
EMAIL_PATTERN = (
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$"
)
"""An e-mail address as the service takes one: a dot-atom local part (no leading, trailing
or double dots, no quotes, brackets or format characters) at a domain name of letters,
digits and inner hyphens (no address literals); a top-level domain of letters, or an
internationalised one in its ASCII form (``xn--p1ai``, .рф)."""


def ascii_domain(value: object) -> object:
    """An address's domain in the ASCII form mail is delivered to (``мастер@пример.рф`` is
    refused for its local part; ``ivan@пример.рф`` → ``ivan@xn--e1afmkfd.xn--p1ai``), so one
    mailbox has one stored form. What is no IDNA name, or holds anything but letters,
    digits, dots and hyphens, is left as given (the pattern refuses it)."""
    if not isinstance(value, str):
        return value
    local, at, domain = value.strip().rpartition("@")
    if not at or domain.isascii() or not all(char.isalnum() or char in ".-" for char in domain):
        return value  # ASCII already, or with what no domain name holds (spaces, format)
    try:
        return f"{local}@{domain.encode('idna').decode('ascii')}"
    except UnicodeError:
        return value


EmailAddress = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=EMAIL_PATTERN),
    BeforeValidator(ascii_domain),  # (declared after: it runs first)
]
"""An e-mail address in a request: :data:`EMAIL_PATTERN` after :func:`ascii_domain`."""


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


Latitude = Annotated[
    float, Field(ge=-90, le=90, allow_inf_nan=False, strict=True), AfterValidator(rounded)
]
"""Degrees, kept to a millionth (:func:`srochno.geo.rounded`)."""
Longitude = Annotated[
    float, Field(ge=-180, le=180, allow_inf_nan=False, strict=True), AfterValidator(rounded)
]
