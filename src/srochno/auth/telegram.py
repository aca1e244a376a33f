"""Validation of Telegram Mini App ``initData``: pure functions, no I/O.

Two ways to check that Telegram issued the data, as described at
https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app:

* with the bot token: ``hash`` is the hex HMAC-SHA256 of the data-check-string under the key
  ``HMAC-SHA256(key="WebAppData", msg=bot_token)``. The data-check-string holds every received
  field except ``hash`` (``signature`` included), as ``key=value`` lines sorted by key, with the
  values exactly as decoded from the query string;
* with only the bot id (third-party validation): ``signature`` is the Ed25519 signature, by
  Telegram's public key, of ``"{bot_id}:WebAppData\\n"`` followed by the same lines without
  ``hash`` and ``signature``.

Checks run in a fixed order: the query string's shape (:class:`InitDataMalformed`), then its
authenticity (:class:`InitDataInvalid`), then its age (:class:`InitDataExpired`), then the user
(:class:`InitDataNoUser`). Whatever string comes in, only these errors leave the module.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import quote, unquote_to_bytes

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from srochno.auth.errors import (
    InitDataExpired,
    InitDataInvalid,
    InitDataMalformed,
    InitDataNoUser,
    InitDataUnencodable,
)
from srochno.enums import BIGINT_MAX

__all__ = [
    "PRODUCTION_PUBLIC_KEY",
    "TEST_PUBLIC_KEY",
    "InitData",
    "TelegramUser",
    "check_age",
    "parse_init_data",
    "sign_init_data",
    "validate_init_data",
]

#: Telegram's Ed25519 key for initData of the production environment.
PRODUCTION_PUBLIC_KEY = bytes.fromhex(
    "e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d"
)
#: Telegram's Ed25519 key for initData of the test environment.
TEST_PUBLIC_KEY = bytes.fromhex("40055058a4ee38156a06562e52eece92a771bcd8346a8c4615cb7376eddf72ec")

#: Seconds ``auth_date`` may lie ahead of ``now`` (clock skew) before the data is refused.
MAX_FUTURE_SKEW_SECONDS = 60
#: Longest accepted raw initData. Real ones are a few kilobytes at most.
MAX_RAW_LENGTH = 64 * 1024
#: Most fields accepted in one initData. Telegram sends about ten.
MAX_FIELDS = 64

_MAX_AUTH_DATE_DIGITS = 18
_HASH_RE = re.compile(r"[0-9a-f]{64}")
# An Ed25519 signature is 64 bytes: 86 base64url characters, padding optional.
_SIGNATURE_RE = re.compile(r"[A-Za-z0-9_-]{86}(?:==)?")
_BAD_PERCENT_RE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass(frozen=True, slots=True)
class TelegramUser:
    id: int
    first_name: str | None
    last_name: str | None
    username: str | None
    language_code: str | None
    photo_url: str | None
    is_premium: bool
    allows_write_to_pm: bool = False
    """The user allowed the bot to write to them (Telegram sends it once they have)."""


@dataclass(frozen=True, slots=True)
class InitData:
    user: TelegramUser
    auth_date: int
    """Unix seconds."""
    fields: Mapping[str, str]
    """Every decoded field, ``hash`` and ``signature`` included; read-only."""


# --- parsing -----------------------------------------------------------------------------


def _short(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


def _decode_component(text: str) -> str:
    """One key or value, decoded once: ``+`` is a space, ``%XX`` a UTF-8 byte."""
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    try:
        return unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        raise InitDataMalformed("Init data is not valid UTF-8 once percent-decoded") from None


def parse_init_data(raw: str) -> dict[str, str]:
    """The fields of a raw initData query string, each key and value decoded exactly once.

    Strict: the string must be non-empty ASCII (Telegram percent-encodes everything else),
    every ``&``-separated part must hold a ``=``, every ``%`` must start a valid escape, the
    decoded bytes must be UTF-8, and keys must be non-empty and unique. Anything else raises
    :class:`InitDataMalformed`. Which fields are present is not checked here.
    """
    if not raw:
        raise InitDataMalformed("Init data is empty")
    if len(raw) > MAX_RAW_LENGTH:
        raise InitDataMalformed("Init data is too long")
    if not raw.isascii():
        raise InitDataMalformed("Init data must be a percent-encoded ASCII query string")
    if raw.count("&") >= MAX_FIELDS:
        raise InitDataMalformed("Init data has too many fields")
    if "%" in raw and _BAD_PERCENT_RE.search(raw) is not None:
        raise InitDataMalformed("Init data holds an invalid percent escape")
    fields: dict[str, str] = {}
    for part in raw.split("&"):
        raw_key, sep, raw_value = part.partition("=")
        if not sep:
            raise InitDataMalformed(f"Init data part {_short(part)} has no '='")
        key = _decode_component(raw_key)
        if not key:
            raise InitDataMalformed("Init data holds an empty key")
        if key in fields:
            raise InitDataMalformed(f"Duplicate key {_short(key)}")
        fields[key] = _decode_component(raw_value)
    return fields


def _auth_date(fields: Mapping[str, str]) -> int:
    value = fields.get("auth_date")
    if value is None:
        raise InitDataMalformed("Init data has no auth_date")
    if not (0 < len(value) <= _MAX_AUTH_DATE_DIGITS and value.isascii() and value.isdigit()):
        raise InitDataMalformed("auth_date is not an integer")
    return int(value)


# --- authenticity ------------------------------------------------------------------------


@functools.lru_cache(maxsize=32)
def _secret_key(bot_token: str) -> bytes:
    return hmac.digest(b"WebAppData", bot_token.encode("utf-8"), "sha256")


@functools.lru_cache(maxsize=8)
def _public_key(raw_key: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw_key)


def _check_lines(fields: Mapping[str, str], *, exclude: frozenset[str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key not in exclude)


_HASH_EXCLUDED = frozenset({"hash"})
_SIGNATURE_EXCLUDED = frozenset({"hash", "signature"})


def _hash(fields: Mapping[str, str], bot_token: str) -> bytes:
    data_check_string = _check_lines(fields, exclude=_HASH_EXCLUDED)
    return hmac.digest(_secret_key(bot_token), data_check_string.encode("utf-8"), "sha256")


def _verify_hash(fields: Mapping[str, str], bot_token: str) -> None:
    received = fields.get("hash")
    if not received:
        raise InitDataInvalid("Init data carries no hash")
    if _HASH_RE.fullmatch(received) is None:
        raise InitDataInvalid("Init data hash is not 64 lowercase hexadecimal digits")
    if not hmac.compare_digest(bytes.fromhex(received), _hash(fields, bot_token)):
        raise InitDataInvalid()


def _verify_signature(fields: Mapping[str, str], bot_id: int, public_key: bytes) -> None:
    received = fields.get("signature")
    if not received:
        raise InitDataInvalid("Init data carries no signature")
    if _SIGNATURE_RE.fullmatch(received) is None:
        raise InitDataInvalid("Init data signature is not base64url")
    try:
        signature = base64.urlsafe_b64decode(received + "=" * (-len(received) % 4))
    except (binascii.Error, ValueError):
        raise InitDataInvalid("Init data signature is not base64url") from None
    message = f"{bot_id}:WebAppData\n" + _check_lines(fields, exclude=_SIGNATURE_EXCLUDED)
    try:
        _public_key(public_key).verify(signature, message.encode("utf-8"))
    except InvalidSignature:
        raise InitDataInvalid("Invalid signature - data integrity check failed") from None


# --- user --------------------------------------------------------------------------------


def _optional_str(obj: Mapping[str, object], key: str) -> str | None:
    value = obj.get(key)
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escaped as \\ud800 in the JSON
        raise InitDataUnencodable() from None
    return value


def _user(fields: Mapping[str, str]) -> TelegramUser:
    raw_user = fields.get("user")
    if raw_user is None:
        raise InitDataNoUser()
    try:
        obj = json.loads(raw_user)
    except (ValueError, RecursionError):
        raise InitDataNoUser("The user field is not JSON") from None
    if not isinstance(obj, dict):
        raise InitDataNoUser("The user field is not a JSON object")
    user_id = obj.get("id")
    if type(user_id) is not int:
        raise InitDataNoUser("The user has no integer id")
    if not 0 < user_id <= BIGINT_MAX:
        raise InitDataNoUser("The user id is out of range")
    return TelegramUser(
        id=user_id,
        first_name=_optional_str(obj, "first_name"),
        last_name=_optional_str(obj, "last_name"),
        username=_optional_str(obj, "username"),
        language_code=_optional_str(obj, "language_code"),
        photo_url=_optional_str(obj, "photo_url"),
        is_premium=obj.get("is_premium") is True,
        allows_write_to_pm=obj.get("allows_write_to_pm") is True,
    )


# --- public API --------------------------------------------------------------------------


def validate_init_data(
    raw: str,
    *,
    bot_token: str | None = None,
    bot_id: int | None = None,
    test_environment: bool = False,
    max_age_seconds: int,
    now: float,
) -> InitData:
    """The validated initData, or an :class:`~srochno.errors.AppError` saying what is wrong.

    With ``bot_token`` the ``hash`` field is checked; otherwise, with ``bot_id``, the Ed25519
    ``signature`` field against Telegram's production key (the test key when
    ``test_environment``). Data older than ``max_age_seconds`` (0 disables that check) or
    more than a minute ahead of ``now`` (unix seconds) is expired.

    Raises :class:`ValueError` when called without a usable token or bot id.
    """
    if bot_token is not None:
        if not bot_token:
            raise ValueError("bot_token must not be empty")
    elif bot_id is None:
        raise ValueError("validate_init_data needs bot_token or bot_id")
    elif bot_id <= 0:
        raise ValueError("bot_id must be positive")
    if max_age_seconds < 0:
        raise ValueError("max_age_seconds must not be negative")

    fields = parse_init_data(raw)
    auth_date = _auth_date(fields)

    if bot_token is not None:
        _verify_hash(fields, bot_token)
    elif bot_id is not None:
        public_key = TEST_PUBLIC_KEY if test_environment else PRODUCTION_PUBLIC_KEY
        _verify_signature(fields, bot_id, public_key)

    check_age(auth_date, max_age_seconds=max_age_seconds, now=now)
    return InitData(user=_user(fields), auth_date=auth_date, fields=MappingProxyType(fields))


def check_age(auth_date: int, *, max_age_seconds: int, now: float) -> None:
    """Raise :class:`InitDataExpired` unless ``auth_date`` is fresh at ``now``: at most
    ``max_age_seconds`` old (0: any age) and at most a minute ahead."""
    if max_age_seconds > 0 and now - auth_date > max_age_seconds:
        raise InitDataExpired()
    if auth_date - now > MAX_FUTURE_SKEW_SECONDS:
        raise InitDataExpired("Init data auth_date is in the future")


def sign_init_data(fields: Mapping[str, str], bot_token: str) -> str:
    """A URL-encoded initData query string of ``fields`` with its ``hash`` appended last.

    Fields keep their order; a ``hash`` among them is replaced. Every character outside
    ``A-Z a-z 0-9 _ . - ~`` is percent-encoded, as Telegram does.
    """
    if not bot_token:
        raise ValueError("bot_token must not be empty")
    unsigned = {key: value for key, value in fields.items() if key != "hash"}
    if "" in unsigned:
        raise ValueError("initData keys must not be empty")
    digest = _hash(unsigned, bot_token).hex()
    parts = [f"{quote(key, safe='')}={quote(value, safe='')}" for key, value in unsigned.items()]
    parts.append(f"hash={digest}")
    return "&".join(parts)
