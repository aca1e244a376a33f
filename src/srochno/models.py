"""Database tables. Invariants that money depends on are constraints here, not only code."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ORDER_STATUSES = ("active", "expired", "deleted", "closed_no_response", "completed")
LEDGER_TYPES = ("recharge", "order_take", "refund", "adjustment")
NOTIFICATION_FREQUENCIES = ("instant", "hourly", "daily", "off")
COMPLAINT_REASONS = ("no_response", "fake_order", "wrong_contact", "rude", "other")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


Timestamp = DateTime(timezone=True)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint("reviews_count >= 0 AND rating_sum >= 0", name="rating_not_negative"),
        CheckConstraint(
            _one_of("notification_frequency", NOTIFICATION_FREQUENCIES),
            name="notification_frequency",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    username: Mapped[str | None] = mapped_column(String(64))
    first_name: Mapped[str | None] = mapped_column(String(256))
    last_name: Mapped[str | None] = mapped_column(String(256))
    language_code: Mapped[str | None] = mapped_column(String(16))
    photo_url: Mapped[str | None] = mapped_column(Text)
    is_premium: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    is_banned: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    balance: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    completed_orders_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rating_sum: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    reviews_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    complaints_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    subscribed_categories: Mapped[list[str]] = mapped_column(
        ARRAY(String(32)), server_default=text("'{}'")
    )
    subscribed_cities: Mapped[list[str]] = mapped_column(
        ARRAY(String(64)), server_default=text("'{}'")
    )
    notification_frequency: Mapped[str] = mapped_column(
        String(16), server_default=text("'instant'")
    )
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(_one_of("status", ORDER_STATUSES), name="status"),
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


class Take(Base):
    __tablename__ = "takes"
    __table_args__ = (
        UniqueConstraint("order_id", "executor_id"),
        UniqueConstraint("executor_id", "idempotency_key"),
        CheckConstraint("price_paid >= 0", name="price_not_negative"),
        Index("ix_takes_executor_taken", "executor_id", text("taken_at DESC")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(12), ForeignKey("orders.id"))
    executor_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    price_paid: Mapped[int] = mapped_column(BigInteger)
    taken_at: Mapped[datetime] = mapped_column(Timestamp)
    refunded_at: Mapped[datetime | None] = mapped_column(Timestamp)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(_one_of("type", LEDGER_TYPES), name="type"),
        CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        CheckConstraint(
            "(type IN ('order_take', 'refund')) = (take_id IS NOT NULL)", name="take_link"
        ),
        CheckConstraint(
            "(type = 'order_take' AND amount <= 0) OR (type = 'refund' AND amount >= 0)"
            " OR (type = 'recharge' AND amount > 0) OR type = 'adjustment'",
            name="amount_sign",
        ),
        # One charge and at most one refund per take, whatever the code does.
        Index(
            "uq_ledger_entries_take_charge",
            "take_id",
            unique=True,
            postgresql_where=text("type = 'order_take'"),
        ),
        Index(
            "uq_ledger_entries_take_refund",
            "take_id",
            unique=True,
            postgresql_where=text("type = 'refund'"),
        ),
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_ledger_entries_user_id", "user_id", text("id DESC")),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[str | None] = mapped_column(String(12), ForeignKey("orders.id"))
    take_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("takes.id"))
    method: Mapped[str | None] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Timestamp)


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


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("order_id", "author_id"),
        CheckConstraint(_one_of("reason", COMPLAINT_REASONS), name="reason"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(12), ForeignKey("orders.id"))
    author_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    client_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(24))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
