"""The open web: e-mail sign-in links and the sessions they open.

Both hold only a keyed hash (HMAC-SHA256 under ``SECRET_KEY``) of their secret: a copy of
the database signs nobody in.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from srochno.models.base import Base, Timestamp


class EmailSignIn(Base):
    """A one-time link sent to an address: valid until ``expires_at``, used once (``used_at``
    set by the one conditional update that accepts it). It signs in, or (``user_id``)
    confirms the address for an account that asked to add it."""

    __tablename__ = "email_sign_ins"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        Index(None, "created_at"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    language_code: Mapped[str] = mapped_column(String(16))
    """The language the link was asked in: a new account's language."""
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), autoincrement=False
    )
    """Set on a link that confirms an address for this (Telegram) account instead of
    signing in: used, it stores the address on the account."""


class WebSession(Base):
    """A browser's session (its cookie): ended by deleting the row (logout, expiry)."""

    __tablename__ = "web_sessions"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        Index(None, "user_id"),
        Index(None, "expires_at"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), autoincrement=False
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
