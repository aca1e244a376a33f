from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from srochno.models.push import ENDPOINT_MAX_LENGTH

Endpoint = Annotated[
    str,
    StringConstraints(
        min_length=9, max_length=ENDPOINT_MAX_LENGTH, pattern=r"^https://[\x21-\x7e]+$"
    ),
]
"""An https URL in printable ASCII (push services' endpoints are); its host is checked
against ``PUSH_SERVICE_HOSTS`` by the service."""
P256dh = Annotated[
    str, StringConstraints(min_length=86, max_length=88, pattern=r"^[A-Za-z0-9_-]+={0,2}$")
]
"""65 bytes (an uncompressed P-256 point), base64url."""
Auth = Annotated[
    str, StringConstraints(min_length=22, max_length=24, pattern=r"^[A-Za-z0-9_-]+={0,2}$")
]
"""16 bytes, base64url."""


class SubscriptionKeys(BaseModel):
    p256dh: P256dh
    auth: Auth


class SubscriptionIn(BaseModel):
    """What the browser's ``PushSubscription.toJSON()`` gives (``expirationTime`` and any
    other field are ignored)."""

    endpoint: Endpoint
    keys: SubscriptionKeys


class UnsubscribeIn(BaseModel):
    endpoint: Endpoint


class SubscriptionOut(BaseModel):
    id: int
    created_at: datetime
    updated_at: datetime


class PublicKeyOut(BaseModel):
    public_key: str
    """The ``applicationServerKey`` for ``pushManager.subscribe`` (base64url)."""
