"""Notifications: one row per (event, user) delivery, and the shared send gate.

The job queue's own tables (``pgqueuer*``) are created by the migration from the library's
install SQL and are not modelled here (``migrations/env.py`` leaves them out of
autogenerate).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from srochno.enums import DeliveryStatus, sql_list
from srochno.models.base import Base, Timestamp, one_of


class NotificationDelivery(Base):
    """A message for one user about one event: claimed before it is sent, so one (event,
    user) is sent at most once whatever the retries, redeliveries and workers."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        CheckConstraint(one_of("status", sql_list(DeliveryStatus)), name="status"),
        Index(None, "updated_at"),
    )

    event_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class NotificationGate(Base):
    """The one row every sender reserves its send slot from: the next free slot of the
    global rate, and the pause a 429 imposed on all senders."""

    __tablename__ = "notification_gate"
    __table_args__ = (CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime] = mapped_column(Timestamp)
    paused_until: Mapped[datetime] = mapped_column(Timestamp)


class NotificationChat(Base):
    """When the next message to a chat may start (one per second per chat)."""

    __tablename__ = "notification_chats"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime] = mapped_column(Timestamp)


class NotificationRun(Base):
    """A periodic fan-out done once over all workers (a digest period)."""

    __tablename__ = "notification_runs"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
