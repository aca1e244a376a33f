"""Notifications: one row per (event, user) delivery, and the shared send gate.

The job queue's own tables (``pgqueuer*``) are created by the migration from the library's
install SQL and are not modelled here (``migrations/env.py`` leaves them out of
autogenerate).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import UserDefinedType

from srochno.enums import Channel, DeliveryStatus, sql_list
from srochno.models.base import Base, Timestamp, one_of


class NotificationDelivery(Base):
    """A message for one user about one event by one channel (for push, to one device):
    claimed before it is sent, so one (event, user, channel, device) is sent at most once
    whatever the retries, redeliveries and workers. A web account (negative id) can never
    hold a Telegram delivery."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (
        CheckConstraint(one_of("status", sql_list(DeliveryStatus)), name="status"),
        CheckConstraint(one_of("channel", sql_list(Channel)), name="channel"),
        CheckConstraint(
            f"channel <> '{Channel.telegram.value}' OR user_id > 0", name="telegram_user_only"
        ),
        CheckConstraint(f"(channel = '{Channel.push.value}') = (device > 0)", name="device"),
        Index(None, "updated_at"),
    )

    event_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    channel: Mapped[str] = mapped_column(
        String(16), primary_key=True, server_default=text(f"'{Channel.telegram.value}'")
    )
    device: Mapped[int] = mapped_column(
        BigInteger, primary_key=True, autoincrement=False, server_default=text("0")
    )
    """A push delivery's device (``push_subscriptions.id``): one message per (event, user,
    device); 0 for the other channels, which reach a user once."""
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    """The send job's payload while the delivery waits for the user (``needs_start``)."""
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


class Box(UserDefinedType[object]):
    """PostgreSQL's core ``box`` (no extension)."""

    cache_ok = True

    def get_col_spec(self, **kw: object) -> str:
        return "BOX"


class InstantSubscriber(Base):
    """Who hears at once of a new order of a (category, city): one row per pair a user
    subscribed to, only while their frequency is instant and they can be written to.

    Written by triggers on ``users`` only (``srochno_sync_instant_subscribers``, the
    table's one writer): whatever statement changes a user's subscriptions, frequency, ban
    or block, the rows follow in the same transaction. The fan-out reads it with an
    index-only scan of the primary key."""

    __tablename__ = "instant_subscribers"

    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    city_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )


class DutyArea(Base):
    """An on-duty work area once per category it is for (``*``: every category, when the
    executor chose none), while their notifications are not off and they can be written
    to. ``reach`` is the area's bounding box moved east by 360° × the category's slot
    (``srochno_category_shift``): one GiST index over core ``box`` answers "areas of this
    category holding this point" without ``btree_gist``, and its included columns let the
    fan-out finish (duty end, exact circle) without reading the table.

    Written by triggers on ``users`` only (``srochno_sync_duty_areas``). A duty that has
    ended stays until the user's next change; the fan-out compares ``on_duty_until``."""

    __tablename__ = "duty_areas"
    __table_args__ = (
        Index(
            "ix_duty_areas_reach",
            "reach",
            postgresql_using="gist",
            postgresql_include=[
                "category",
                "user_id",
                "area_lat",
                "area_lon",
                "area_radius_km",
                "on_duty_until",
            ],
        ),
    )

    user_id: Mapped[int] = mapped_column(
        BigInteger,
        ForeignKey("users.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    )
    category: Mapped[str] = mapped_column(String(32), primary_key=True)
    area_lat: Mapped[float] = mapped_column(Double)
    area_lon: Mapped[float] = mapped_column(Double)
    area_radius_km: Mapped[float] = mapped_column(Double)
    on_duty_until: Mapped[datetime] = mapped_column(Timestamp)
    reach: Mapped[object] = mapped_column(Box)
