"""The application server's VAPID key (RFC 8292): what signs each push, and the public key
browsers subscribe with (``applicationServerKey``)."""

from __future__ import annotations

import base64
import functools

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

from srochno.config import Settings, parse_vapid_private_key, vapid_private_key
from srochno.push.errors import PushUnavailable


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    """Base64url with or without padding (browsers send it without)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@functools.lru_cache(maxsize=4)
def signer_of(key_text: str) -> Vapid02:
    return Vapid02(private_key=parse_vapid_private_key(key_text))


def signer(settings: Settings) -> Vapid02 | None:
    """What signs pushes, or None when push is off (production without a key)."""
    key = vapid_private_key(settings)
    return None if key is None else signer_of(key)


def public_key(signer: Vapid02) -> str:
    """The ``applicationServerKey``: base64url of the uncompressed P-256 public point."""
    raw = signer.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(raw)


def application_server_key(settings: Settings) -> str:
    key = signer(settings)
    if key is None:
        raise PushUnavailable()
    return public_key(key)
