"""The ledger: one row per balance change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from srochno.enums import LedgerType, sql_list
from srochno.models.base import Base, Timestamp, one_of


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(one_of("type", sql_list(LedgerType)), name="type"),
        CheckConstraint("balance_after >= 0", name="balance_after_not_negative"),
        CheckConstraint(
            "(type IN ('order_take', 'refund')) = (take_id IS NOT NULL)", name="take_link"
        ),
        CheckConstraint(
            "(type = 'order_take' AND amount <= 0) OR (type = 'refund' AND amount >= 0)"
            " OR (type = 'recharge' AND amount > 0) OR type = 'adjustment'"
            " OR (type = 'payment_refund' AND amount <= 0)",
            name="amount_sign",
        ),
        # A paid credit (a recharge) or its refund names its Stars charge or its top-up, at
        # most one of them; nothing else names either.
        CheckConstraint(
            "(type = 'payment_refund' AND (payment_charge_id IS NULL) <> (topup_id IS NULL))"
            " OR (type = 'recharge' AND (payment_charge_id IS NULL OR topup_id IS NULL))"
            " OR (type NOT IN ('recharge', 'payment_refund')"
            " AND payment_charge_id IS NULL AND topup_id IS NULL)",
            name="charge_link",
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
        # One credit and at most one refund per Stars charge, whatever the code does.
        Index(
            "uq_ledger_entries_charge_credit",
            "payment_charge_id",
            unique=True,
            postgresql_where=text("type = 'recharge'"),
        ),
        Index(
            "uq_ledger_entries_charge_refund",
            "payment_charge_id",
            unique=True,
            postgresql_where=text("type = 'payment_refund'"),
        ),
        # One credit and at most one refund per top-up, whatever the code does.
        Index(
            "uq_ledger_entries_topup_credit",
            "topup_id",
            unique=True,
            postgresql_where=text("type = 'recharge'"),
        ),
        Index(
            "uq_ledger_entries_topup_refund",
            "topup_id",
            unique=True,
            postgresql_where=text("type = 'payment_refund'"),
        ),
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_ledger_entries_user_id", "user_id", text("id DESC")),
        # The admin dashboard's money per day.
        Index(
            "ix_ledger_entries_created",
            "created_at",
            postgresql_include=["type", "amount", "method"],
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"))
    type: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    order_id: Mapped[str | None] = mapped_column(String(12), ForeignKey("orders.id"))
    take_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("takes.id"))
    payment_charge_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("payment_charges.id")
    )
    topup_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("topups.id"))
    method: Mapped[str | None] = mapped_column(String(32))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
