"""Clients' reviews of executors and executors' complaints about clients."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from srochno.enums import ComplaintReason, sql_list
from srochno.models.base import Base, Timestamp, one_of


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        UniqueConstraint("order_id", "author_id", "executor_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_reviews_executor", "executor_id", text("id DESC")),
        Index("ix_reviews_created", text("id DESC")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(12), ForeignKey("orders.id"))
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    executor_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    hidden_at: Mapped[datetime | None] = mapped_column(Timestamp)
    """Hidden by a moderator: out of the public list and of the executor's rating."""


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("order_id", "author_id"),
        CheckConstraint(one_of("reason", sql_list(ComplaintReason)), name="reason"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(12), ForeignKey("orders.id"))
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    resolved_at: Mapped[datetime | None] = mapped_column(Timestamp)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("admin_users.id"))
