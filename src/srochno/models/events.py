"""The live feed's event log and the rate limiter's counters."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from srochno.models.base import Base, Timestamp


class OrderEvent(Base):
    """One change the streams tell about, written by triggers in the transaction of the
    change. ``id`` is given at commit, under a lock, so ids grow in commit order (see
    ``srochno.events``). ``user_id`` set: a personal event of that user; NULL: public."""

    __tablename__ = "order_events"
    __table_args__ = (
        Index(
            "ix_order_events_user_id", "user_id", "id", postgresql_where=text("user_id IS NOT NULL")
        ),
        Index("ix_order_events_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    order_id: Mapped[str | None] = mapped_column(String(32))
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    city_key: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(32))
    payload: Mapped[dict[str, object]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(Timestamp, server_default=text("now()"))


class RateLimitWindow(Base):
    """Hits of one limiter key in its current fixed window (``window_start``, epoch
    seconds). UNLOGGED: counters need no crash safety, and skip the WAL."""

    __tablename__ = "rate_limit_windows"
    __table_args__ = ({"prefixes": ["UNLOGGED"]},)

    key: Mapped[str] = mapped_column(Text, primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger)
    hits: Mapped[int] = mapped_column(Integer)
