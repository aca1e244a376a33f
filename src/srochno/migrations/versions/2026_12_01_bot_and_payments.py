"""The bot and Telegram Stars: the update inbox, payments and their charges, the
``payment_refund`` ledger type with the charge link, and ``users.bot_blocked``.

Alembic does not compare CHECK constraints, so the ledger's are replaced by hand here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 20:45:17.027879
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_updates")),
    )
    op.create_table(
        "payments",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("stars", sa.BigInteger(), nullable=False),
        sa.Column("amount_rub", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=8), server_default=sa.text("'XTR'"), nullable=False),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("invoice_url", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'refunded')", name=op.f("ck_payments_status")
        ),
        sa.CheckConstraint(
            "stars > 0 AND amount_rub > 0", name=op.f("ck_payments_amounts_positive")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_payments_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name=op.f("uq_payments_user_id_idempotency_key")
        ),
    )
    op.create_index(
        "ix_payments_user_id",
        "payments",
        ["user_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "payment_charges",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("telegram_payment_charge_id", sa.String(length=256), nullable=False),
        sa.Column("provider_payment_charge_id", sa.String(length=256), nullable=True),
        sa.Column("payment_id", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("invoice_payload", sa.Text(), nullable=True),
        sa.Column("stars", sa.BigInteger(), nullable=False),
        sa.Column("amount_rub", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_rub", sa.BigInteger(), nullable=True),
        sa.Column(
            "refund_shortfall_rub", sa.BigInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.CheckConstraint(
            "(refunded_at IS NULL AND refunded_rub IS NULL AND refund_shortfall_rub = 0) OR (refunded_at IS NOT NULL AND refunded_rub >= 0 AND refund_shortfall_rub >= 0 AND refunded_rub + refund_shortfall_rub = amount_rub)",
            name=op.f("ck_payment_charges_refund_parts"),
        ),
        sa.CheckConstraint(
            "stars > 0 AND amount_rub > 0", name=op.f("ck_payment_charges_amounts_positive")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_payment_charges_payment_id_payments")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_payment_charges_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_charges")),
        sa.UniqueConstraint(
            "telegram_payment_charge_id", name=op.f("uq_payment_charges_telegram_payment_charge_id")
        ),
    )
    op.create_index(
        "ix_payment_charges_payment_id", "payment_charges", ["payment_id"], unique=False
    )
    op.create_index("ix_payment_charges_user_id", "payment_charges", ["user_id"], unique=False)
    op.add_column("ledger_entries", sa.Column("payment_charge_id", sa.BigInteger(), nullable=True))
    op.create_index(
        "uq_ledger_entries_charge_credit",
        "ledger_entries",
        ["payment_charge_id"],
        unique=True,
        postgresql_where=sa.text("type = 'recharge'"),
    )
    op.create_index(
        "uq_ledger_entries_charge_refund",
        "ledger_entries",
        ["payment_charge_id"],
        unique=True,
        postgresql_where=sa.text("type = 'payment_refund'"),
    )
    op.create_foreign_key(
        op.f("fk_ledger_entries_payment_charge_id_payment_charges"),
        "ledger_entries",
        "payment_charges",
        ["payment_charge_id"],
        ["id"],
    )
    op.add_column(
        "users",
        sa.Column("bot_blocked", sa.Boolean(), server_default=sa.text("false"), nullable=False),
    )
    op.drop_constraint(op.f("ck_ledger_entries_type"), "ledger_entries", type_="check")
    op.create_check_constraint(
        op.f("ck_ledger_entries_type"),
        "ledger_entries",
        "type IN ('recharge', 'order_take', 'refund', 'adjustment', 'payment_refund')",
    )
    op.drop_constraint(op.f("ck_ledger_entries_amount_sign"), "ledger_entries", type_="check")
    op.create_check_constraint(
        op.f("ck_ledger_entries_amount_sign"),
        "ledger_entries",
        "(type = 'order_take' AND amount <= 0) OR (type = 'refund' AND amount >= 0) OR (type = 'recharge' AND amount > 0) OR type = 'adjustment' OR (type = 'payment_refund' AND amount <= 0)",
    )
    op.create_check_constraint(
        op.f("ck_ledger_entries_charge_link"),
        "ledger_entries",
        "(type = 'payment_refund' AND payment_charge_id IS NOT NULL) OR type = 'recharge' OR (type NOT IN ('recharge', 'payment_refund') AND payment_charge_id IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_ledger_entries_charge_link"), "ledger_entries", type_="check")
    op.drop_constraint(op.f("ck_ledger_entries_amount_sign"), "ledger_entries", type_="check")
    op.create_check_constraint(
        op.f("ck_ledger_entries_amount_sign"),
        "ledger_entries",
        "(type = 'order_take' AND amount <= 0) OR (type = 'refund' AND amount >= 0) OR (type = 'recharge' AND amount > 0) OR type = 'adjustment'",
    )
    op.drop_constraint(op.f("ck_ledger_entries_type"), "ledger_entries", type_="check")
    op.create_check_constraint(
        op.f("ck_ledger_entries_type"),
        "ledger_entries",
        "type IN ('recharge', 'order_take', 'refund', 'adjustment')",
    )
    op.drop_column("users", "bot_blocked")
    op.drop_constraint(
        op.f("fk_ledger_entries_payment_charge_id_payment_charges"),
        "ledger_entries",
        type_="foreignkey",
    )
    op.drop_index(
        "uq_ledger_entries_charge_refund",
        table_name="ledger_entries",
        postgresql_where=sa.text("type = 'payment_refund'"),
    )
    op.drop_index(
        "uq_ledger_entries_charge_credit",
        table_name="ledger_entries",
        postgresql_where=sa.text("type = 'recharge'"),
    )
    op.drop_column("ledger_entries", "payment_charge_id")
    op.drop_index("ix_payment_charges_user_id", table_name="payment_charges")
    op.drop_index("ix_payment_charges_payment_id", table_name="payment_charges")
    op.drop_table("payment_charges")
    op.drop_index("ix_payments_user_id", table_name="payments")
    op.drop_table("payments")
    op.drop_table("telegram_updates")
