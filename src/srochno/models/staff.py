"""The operators of the admin panel, what they did, their sign-in attempts and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from srochno.enums import AdminActionType, AdminRole, sql_list
from srochno.models.base import Base, Timestamp, one_of


class AdminUser(Base):
    __tablename__ = "admin_users"
    __table_args__ = (CheckConstraint(one_of("role", sql_list(AdminRole)), name="role"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    disabled_at: Mapped[datetime | None] = mapped_column(Timestamp)


class AdminAction(Base):
    """One row per operator action, written in the action's own transaction."""

    __tablename__ = "admin_actions"
    __table_args__ = (
        CheckConstraint(one_of("action", sql_list(AdminActionType)), name="action"),
        CheckConstraint("length(btrim(reason)) > 0", name="reason_given"),
        Index("ix_admin_actions_target", "target_type", "target_id"),
        Index("ix_admin_actions_created", text("created_at DESC")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    admin_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("admin_users.id"))
    admin_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class AdminLoginAttempt(Base):
    """Sign-in attempts of the last window, counted per name and per address in
    PostgreSQL, so the limit holds across every server process."""

    __tablename__ = "admin_login_attempts"
    __table_args__ = (
        Index("ix_admin_login_attempts_name", "name", "attempted_at"),
        Index("ix_admin_login_attempts_address", "address", "attempted_at"),
        Index("ix_admin_login_attempts_attempted", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(Timestamp)


class AdminSignIn(Base):
    """Where each operator signed in from, and when last: a known address may still try
    when a name is under attack from everywhere else (see ``staff.service.sign_in``)."""

    __tablename__ = "admin_sign_ins"

    admin_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("admin_users.id", ondelete="CASCADE"), primary_key=True
    )
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    signed_in_at: Mapped[datetime] = mapped_column(Timestamp)


class AdminSession(Base):
    """A signed-in operator's session. The cookie carries a random token, this row only its
    SHA-256: signing out deletes the row, so a copied or replayed cookie is refused; so
    does disabling the operator, changing their role or resetting their password (every
    session of theirs). A session is honoured only with the role it was opened with,
    until ``expires_at`` (``ADMIN_SESSION_HOURS``)."""

    __tablename__ = "admin_sessions"
    __table_args__ = (
        Index("ix_admin_sessions_admin_id", "admin_id"),
        Index("ix_admin_sessions_expires_at", "expires_at"),
    )

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    admin_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("admin_users.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
