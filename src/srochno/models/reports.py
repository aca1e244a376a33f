"""Executors' reports of orders whose public text carries a contact (or is fake), and a
moderator's decision on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from srochno.enums import ReportReason, ReportStatus, sql_list
from srochno.models.base import Base, Timestamp, one_of

MAX_REPORT_COMMENT_LENGTH = 500


class OrderReport(Base):
    __tablename__ = "order_reports"
    __table_args__ = (
        # Once per (order, user), whatever the code does.
        UniqueConstraint("order_id", "reporter_id"),
        CheckConstraint(one_of("reason", sql_list(ReportReason)), name="reason"),
        CheckConstraint(one_of("status", sql_list(ReportStatus)), name="status"),
        CheckConstraint(
            f"comment IS NULL OR char_length(comment) <= {MAX_REPORT_COMMENT_LENGTH}",
            name="comment_length",
        ),
        # A decision has its moment and its operator; a pending report has neither.
        CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)"
            " AND (status = 'pending') = (decided_by_id IS NULL)",
            name="decision",
        ),
        # The moderation queue: the pending reports of an order.
        Index(
            "ix_order_reports_pending",
            "order_id",
            "created_at",
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(12), ForeignKey("orders.id"))
    reporter_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    decided_by_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("admin_users.id"))
