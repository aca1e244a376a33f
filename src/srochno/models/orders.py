"""Orders and the takes executors paid for."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from srochno.enums import OrderStatus, sql_list
from srochno.models.base import Base, Timestamp, one_of


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(one_of("status", sql_list(OrderStatus)), name="status"),
        CheckConstraint(
            "executors_count >= 0 AND executors_count <= max_executors", name="executors_cap"
        ),
        CheckConstraint("expires_at > created_at", name="expires_after_created"),
        Index(
            "ix_orders_active_feed",
            "city_key",
            "category",
            text("created_at DESC"),
            postgresql_where=text("status = 'active'"),
        ),
        # The list filters on expiry too: without it the 1 M-order plan read every listed
        # order of a city and category, expired ones included, to count the page.
        Index(
            "ix_orders_active_feed_expiry",
            "city_key",
            "category",
            "expires_at",
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "ix_orders_active_created",
            text("created_at DESC"),
            postgresql_where=text("status = 'active'"),
        ),
        Index(
            "ix_orders_active_category",
            "category",
            text("created_at DESC"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_orders_owner", "owner_id", text("created_at DESC")),
        # The near feed: a located active order by its public cell (srochno.geo), with what
        # the feed filters on, so a page and its count read the index alone.
        Index(
            "ix_orders_active_cell",
            "cell",
            "id",
            postgresql_where=text("status = 'active' AND cell IS NOT NULL"),
            postgresql_include=["expires_at", "first_taken_at", "responded_at", "category"],
        ),
        CheckConstraint(
            "(lat IS NULL) = (lon IS NULL) AND (lat IS NULL) = (cell IS NULL)",
            name="location_whole",
        ),
        CheckConstraint(
            "lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180", name="location_range"
        ),
        # The admin dashboard's days: orders by creation, with what its figures read.
        Index(
            "ix_orders_created",
            "created_at",
            postgresql_include=["status", "first_taken_at"],
        ),
        Index("ix_orders_expiry_due", "expires_at", postgresql_where=text("status = 'active'")),
        Index(
            "ix_orders_no_response_due",
            "first_taken_at",
            postgresql_where=text(
                "status IN ('active', 'expired') AND responded_at IS NULL"
                " AND first_taken_at IS NOT NULL"
            ),
        ),
    )

    id: Mapped[str] = mapped_column(String(12), primary_key=True)
    owner_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    city: Mapped[str] = mapped_column(String(64))
    city_key: Mapped[str] = mapped_column(String(256))
    contact: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(24), server_default=text("'active'"))
    max_executors: Mapped[int] = mapped_column(SmallInteger)
    take_price: Mapped[int] = mapped_column(BigInteger)
    executors_count: Mapped[int] = mapped_column(SmallInteger, server_default=text("0"))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    first_taken_at: Mapped[datetime | None] = mapped_column(Timestamp)
    responded_at: Mapped[datetime | None] = mapped_column(Timestamp)
    completed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    completed_executor_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    lat: Mapped[float | None] = mapped_column(Double)
    """The exact point (WGS-84): private like the contact."""
    lon: Mapped[float | None] = mapped_column(Double)
    address: Mapped[str | None] = mapped_column(String(200))
    """A note for the executor who comes (entrance, floor): private like the contact."""
    cell: Mapped[int | None] = mapped_column(BigInteger)
    """The public grid cell of the point (:func:`srochno.geo.cell_of`)."""


class Take(Base):
    __tablename__ = "takes"
    __table_args__ = (
        UniqueConstraint("order_id", "executor_id"),
        UniqueConstraint("executor_id", "idempotency_key"),
        CheckConstraint("price_paid >= 0", name="price_not_negative"),
        Index("ix_takes_executor_taken", "executor_id", text("taken_at DESC")),
        Index("ix_takes_taken", "taken_at", postgresql_include=["executor_id"]),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(12), ForeignKey("orders.id"))
    executor_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    price_paid: Mapped[int] = mapped_column(BigInteger)
    taken_at: Mapped[datetime] = mapped_column(Timestamp)
    refunded_at: Mapped[datetime | None] = mapped_column(Timestamp)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
