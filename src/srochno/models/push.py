"""Web Push subscriptions: one row per device (browser profile) that asked for pushes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Identity, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from srochno.models.base import Base, Timestamp

ENDPOINT_MAX_LENGTH = 2048


class PushSubscription(Base):
    """A browser's ``PushSubscription``: where the push service takes messages for that
    device (``endpoint``, unique: a device is one account's) and the keys its messages are
    encrypted to (RFC 8291). Removed when the account removes it or the push service
    answers 404/410 (the subscription is gone)."""

    __tablename__ = "push_subscriptions"
    __table_args__ = (
        CheckConstraint("endpoint LIKE 'https://%'", name="endpoint_https"),
        CheckConstraint(f"char_length(endpoint) <= {ENDPOINT_MAX_LENGTH}", name="endpoint_length"),
        Index(None, "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(always=True), primary_key=True)
    """The device's key in ``notification_deliveries.device``."""
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), autoincrement=False
    )
    endpoint: Mapped[str] = mapped_column(Text, unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    """The device's P-256 public key (base64url of the uncompressed point)."""
    auth: Mapped[str] = mapped_column(String(64))
    """The device's 16-byte authentication secret (base64url)."""
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    """Last (re)subscribed: the oldest goes first past ``PUSH_MAX_DEVICES``."""
