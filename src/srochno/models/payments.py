"""Telegram Stars: invoices (payments), the charges Telegram reported for them, and the
inbox of Bot API updates."""

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

from srochno.enums import PaymentStatus, TopupStatus, sql_list
from srochno.models.base import Base, Timestamp, one_of


class Payment(Base):
    """An invoice a user asked for: ``stars`` to pay, ``amount_rub`` to be credited."""

    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint(one_of("status", sql_list(PaymentStatus)), name="status"),
        CheckConstraint("stars > 0 AND amount_rub > 0", name="amounts_positive"),
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_payments_user_id", "user_id", text("created_at DESC")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    stars: Mapped[int] = mapped_column(BigInteger)
    amount_rub: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(8), server_default=text("'XTR'"))
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    invoice_url: Mapped[str | None] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    paid_at: Mapped[datetime | None] = mapped_column(Timestamp)
    refunded_at: Mapped[datetime | None] = mapped_column(Timestamp)


class PaymentCharge(Base):
    """One payment Telegram made: unique on its charge id, credited exactly once. The same
    invoice paid twice is two charges; a charge of an unknown invoice has no payment."""

    __tablename__ = "payment_charges"
    __table_args__ = (
        UniqueConstraint("telegram_payment_charge_id"),
        CheckConstraint("stars > 0 AND amount_rub > 0", name="amounts_positive"),
        CheckConstraint(
            "(refunded_at IS NULL AND refunded_rub IS NULL AND refund_shortfall_rub = 0)"
            " OR (refunded_at IS NOT NULL AND refunded_rub >= 0 AND refund_shortfall_rub >= 0"
            " AND refunded_rub + refund_shortfall_rub = amount_rub)",
            name="refund_parts",
        ),
        Index("ix_payment_charges_payment_id", "payment_id"),
        Index("ix_payment_charges_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    telegram_payment_charge_id: Mapped[str] = mapped_column(String(256))
    provider_payment_charge_id: Mapped[str | None] = mapped_column(String(256))
    payment_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("payments.id"))
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    invoice_payload: Mapped[str | None] = mapped_column(Text)
    stars: Mapped[int] = mapped_column(BigInteger)
    amount_rub: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    refunded_at: Mapped[datetime | None] = mapped_column(Timestamp)
    refunded_rub: Mapped[int | None] = mapped_column(BigInteger)
    """What the refund debited: the credit, or less when the balance no longer held it."""
    refund_shortfall_rub: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    """The part of the credit a refund made elsewhere could not take back."""


class Topup(Base):
    """A top-up in rubles through YooKassa: ``amount_rub`` asked and credited once when
    YooKassa's payment (unique ``yookassa_payment_id``) succeeded for that amount."""

    __tablename__ = "topups"
    __table_args__ = (
        CheckConstraint(one_of("status", sql_list(TopupStatus)), name="status"),
        CheckConstraint("amount_rub > 0", name="amount_positive"),
        CheckConstraint(
            "status NOT IN ('paid', 'refunded')"
            " OR (yookassa_payment_id IS NOT NULL AND paid_at IS NOT NULL)",
            name="paid_has_payment",
        ),
        CheckConstraint(
            "(status = 'refunded') = (refunded_at IS NOT NULL)", name="refunded_at_status"
        ),
        UniqueConstraint("yookassa_payment_id"),
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_topups_user_id", "user_id", text("created_at DESC")),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """Ours; also the ``Idempotence-Key`` of YooKassa's payment and its metadata."""
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    amount_rub: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), server_default=text("'pending'"))
    yookassa_payment_id: Mapped[str | None] = mapped_column(String(64))
    confirmation_url: Mapped[str | None] = mapped_column(Text)
    receipt_email: Mapped[str | None] = mapped_column(String(254))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    yookassa_refund_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    paid_at: Mapped[datetime | None] = mapped_column(Timestamp)
    canceled_at: Mapped[datetime | None] = mapped_column(Timestamp)
    refunded_at: Mapped[datetime | None] = mapped_column(Timestamp)


class TelegramUpdate(Base):
    """The inbox: every handled update, written in the transaction of its effects."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(Timestamp)
