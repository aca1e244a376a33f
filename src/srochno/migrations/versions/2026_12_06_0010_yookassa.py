"""Rubles through YooKassa: top-ups, the ledger's link to them, the user's receipt e-mail,
and the admin's top-up refund.

Alembic does not compare CHECK constraints, so the ledger's and the admin actions' are
replaced by hand here.

Revision ID: 0010_yookassa
Revises: 0005_live
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_yookassa"
down_revision: str | None = "0009_operate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHARGE_LINK_BEFORE = "(type = 'payment_refund' AND payment_charge_id IS NOT NULL) OR type = 'recharge' OR (type NOT IN ('recharge', 'payment_refund') AND payment_charge_id IS NULL)"
CHARGE_LINK_AFTER = "(type = 'payment_refund' AND (payment_charge_id IS NULL) <> (topup_id IS NULL)) OR (type = 'recharge' AND (payment_charge_id IS NULL OR topup_id IS NULL)) OR (type NOT IN ('recharge', 'payment_refund') AND payment_charge_id IS NULL AND topup_id IS NULL)"
ACTIONS_BEFORE = (
    "'ban_user', 'unban_user', 'cancel_order', 'hide_review', 'unhide_review', "
    "'resolve_complaint', 'adjust_balance', 'refund_payment', 'confirm_reports', "
    "'dismiss_reports'"
)
ACTIONS_AFTER = ACTIONS_BEFORE + ", 'refund_topup'"


def _actions(values: str, *, validate: bool) -> None:
    op.drop_constraint(op.f("ck_admin_actions_action"), "admin_actions", type_="check")
    op.execute(
        f"ALTER TABLE admin_actions ADD CONSTRAINT ck_admin_actions_action "
        f"CHECK (action IN ({values})){'' if validate else ' NOT VALID'}"
    )


TOPUP_EVENT = """
BEGIN
    INSERT INTO order_events (kind, user_id, payload)
    VALUES ('topup', NEW.user_id,
            jsonb_build_object('topup_id', NEW.id, 'status', NEW.status,
                               'amount', NEW.amount_rub));
    RETURN NULL;
END
"""


def upgrade() -> None:
    op.create_table(
        "topups",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_rub", sa.BigInteger(), nullable=False),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("yookassa_payment_id", sa.String(length=64), nullable=True),
        sa.Column("confirmation_url", sa.Text(), nullable=True),
        sa.Column("receipt_email", sa.String(length=254), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("yookassa_refund_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("canceled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'canceled', 'failed', 'refunded')",
            name=op.f("ck_topups_status"),
        ),
        sa.CheckConstraint("amount_rub > 0", name=op.f("ck_topups_amount_positive")),
        sa.CheckConstraint(
            "status NOT IN ('paid', 'refunded') OR (yookassa_payment_id IS NOT NULL AND paid_at IS NOT NULL)",
            name=op.f("ck_topups_paid_has_payment"),
        ),
        sa.CheckConstraint(
            "(status = 'refunded') = (refunded_at IS NOT NULL)",
            name=op.f("ck_topups_refunded_at_status"),
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_topups_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topups")),
        sa.UniqueConstraint("yookassa_payment_id", name=op.f("uq_topups_yookassa_payment_id")),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name=op.f("uq_topups_user_id_idempotency_key")
        ),
    )
    op.create_index(
        "ix_topups_user_id", "topups", ["user_id", sa.literal_column("created_at DESC")]
    )
    op.add_column("ledger_entries", sa.Column("topup_id", sa.String(length=32), nullable=True))
    op.create_foreign_key(
        op.f("fk_ledger_entries_topup_id_topups"), "ledger_entries", "topups", ["topup_id"], ["id"]
    )
    op.create_index(
        "uq_ledger_entries_topup_credit",
        "ledger_entries",
        ["topup_id"],
        unique=True,
        postgresql_where=sa.text("type = 'recharge'"),
    )
    op.create_index(
        "uq_ledger_entries_topup_refund",
        "ledger_entries",
        ["topup_id"],
        unique=True,
        postgresql_where=sa.text("type = 'payment_refund'"),
    )
    op.drop_constraint(op.f("ck_ledger_entries_charge_link"), "ledger_entries", type_="check")
    op.create_check_constraint(
        op.f("ck_ledger_entries_charge_link"), "ledger_entries", CHARGE_LINK_AFTER
    )
    op.add_column("users", sa.Column("receipt_email", sa.String(length=254), nullable=True))
    _actions(ACTIONS_AFTER, validate=True)
    # The owner's stream hears a top-up paid, canceled or refunded (in its transaction).
    op.execute(
        "CREATE FUNCTION srochno_topup_event() RETURNS trigger LANGUAGE plpgsql AS $$"
        + TOPUP_EVENT
        + "$$"
    )
    op.execute(
        "CREATE TRIGGER topups_changed_event AFTER UPDATE OF status ON topups "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
        "AND NEW.status IN ('paid', 'canceled', 'refunded')) "
        "EXECUTE FUNCTION srochno_topup_event()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER topups_changed_event ON topups")
    op.execute("DROP FUNCTION srochno_topup_event()")
    _actions(ACTIONS_BEFORE, validate=False)
    op.drop_column("users", "receipt_email")
    op.drop_constraint(op.f("ck_ledger_entries_charge_link"), "ledger_entries", type_="check")
    op.drop_index(
        "uq_ledger_entries_topup_refund",
        table_name="ledger_entries",
        postgresql_where=sa.text("type = 'payment_refund'"),
    )
    op.drop_index(
        "uq_ledger_entries_topup_credit",
        table_name="ledger_entries",
        postgresql_where=sa.text("type = 'recharge'"),
    )
    op.drop_constraint(
        op.f("fk_ledger_entries_topup_id_topups"), "ledger_entries", type_="foreignkey"
    )
    op.drop_column("ledger_entries", "topup_id")
    op.create_check_constraint(
        op.f("ck_ledger_entries_charge_link"), "ledger_entries", CHARGE_LINK_BEFORE
    )
    op.drop_index("ix_topups_user_id", table_name="topups")
    op.drop_table("topups")
