"""Users: Telegram profiles, balances, rating aggregates and subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from srochno.enums import Frequency, sql_list
from srochno.models.base import Base, Timestamp, one_of


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("balance >= 0", name="balance_not_negative"),
        CheckConstraint("reviews_count >= 0 AND rating_sum >= 0", name="rating_not_negative"),
        CheckConstraint("strikes >= 0", name="strikes_not_negative"),
        CheckConstraint(
            one_of("notification_frequency", sql_list(Frequency)),
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
    bot_blocked: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """The user blocked the bot (``my_chat_member``): nothing is sent to them."""
    balance: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    completed_orders_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    rating_sum: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    reviews_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    complaints_count: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    strikes: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    """Reports of the user's orders a moderator confirmed; ``STRIKES_TO_BAN`` ban."""
    subscribed_categories: Mapped[list[str]] = mapped_column(
        ARRAY(String(32)), server_default=text("'{}'")
    )
    subscribed_cities: Mapped[list[str]] = mapped_column(
        ARRAY(String(64)), server_default=text("'{}'")
    )
    notification_frequency: Mapped[str] = mapped_column(
        String(16), server_default=text("'instant'")
    )
    receipt_email: Mapped[str | None] = mapped_column(String(254))
    """Where YooKassa sends the receipts of the user's top-ups: asked once, kept."""
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
