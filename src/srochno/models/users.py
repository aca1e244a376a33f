"""Users: Telegram profiles, balances, rating aggregates and subscriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Double,
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
            "(area_lat IS NULL) = (area_lon IS NULL) "
            "AND (area_lat IS NULL) = (area_radius_km IS NULL)",
            name="area_whole",
        ),
        CheckConstraint(
            "area_lat BETWEEN -90 AND 90 AND area_lon BETWEEN -180 AND 180 "
            "AND area_radius_km > 0 AND area_radius_km <= 500",
            name="area_range",
        ),
        CheckConstraint(
            one_of("notification_frequency", sql_list(Frequency)),
            name="notification_frequency",
        ),
        CheckConstraint("id <> 0", name="id_not_zero"),
        CheckConstraint("id > 0 OR email IS NOT NULL", name="web_account_has_email"),
        CheckConstraint("email = lower(email)", name="email_lower_case"),
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
    """The user blocked the bot (``my_chat_member``, or a 403 "blocked by the user"):
    nothing is sent to them until they start it again, write to it or allow writing."""
    needs_start: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """Telegram answered 403 "can't initiate conversation": the user never started the bot.
    Messages wait (``needs_start`` deliveries) until the user starts it, writes to it or
    allows writing (initData's ``allows_write_to_pm``)."""
    allows_write_to_pm: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """What the last initData said: the user allowed the bot to write to them."""
    bot_started: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    """The user wrote to the bot in private (``/start`` or any message)."""
    verified_phone: Mapped[str | None] = mapped_column(String(32))
    """The phone Telegram shared as the user's own (a contact with ``user_id == from.id``)."""
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
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    """A verified e-mail address (lower case): a web account's sign-in and both kinds'
    e-mail notifications. Web accounts have negative ids (``web_user_ids``), Telegram's
    users their positive Telegram id."""
    email_notifications: Mapped[bool] = mapped_column(Boolean, server_default=text("true"))
    """False once the account followed an e-mail's unsubscribe link."""
    receipt_email: Mapped[str | None] = mapped_column(String(254))
    """Where YooKassa sends the receipts of the user's top-ups: asked once, kept."""
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    updated_at: Mapped[datetime] = mapped_column(Timestamp)
    area_lat: Mapped[float | None] = mapped_column(Double)
    """The executor's work area: its centre (private to the executor) and radius."""
    area_lon: Mapped[float | None] = mapped_column(Double)
    area_radius_km: Mapped[float | None] = mapped_column(Double)
    on_duty_until: Mapped[datetime | None] = mapped_column(Timestamp)
    """On duty (instant news of located orders in the work area) until then."""
