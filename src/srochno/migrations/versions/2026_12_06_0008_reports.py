"""Reports of orders and their moderation: ``order_reports``, the clients' strikes, and the
two audit actions of the moderation queue.

Revision ID: 0008_reports
Revises: 0005_live
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_reports"
down_revision: str | None = "0007_live"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS_BEFORE = (
    "'ban_user', 'unban_user', 'cancel_order', 'hide_review', 'unhide_review', "
    "'resolve_complaint', 'adjust_balance', 'refund_payment'"
)
ACTIONS_AFTER = ACTIONS_BEFORE + ", 'confirm_reports', 'dismiss_reports'"


def _actions(values: str, *, validate: bool) -> None:
    op.drop_constraint(op.f("ck_admin_actions_action"), "admin_actions", type_="check")
    op.execute(
        f"ALTER TABLE admin_actions ADD CONSTRAINT ck_admin_actions_action "
        f"CHECK (action IN ({values})){'' if validate else ' NOT VALID'}"
    )


def upgrade() -> None:
    op.create_table(
        "order_reports",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=12), nullable=False),
        sa.Column("reporter_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "status", sa.String(length=16), server_default=sa.text("'pending'"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "reason IN ('contact_in_text', 'fake', 'other')", name=op.f("ck_order_reports_reason")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'dismissed')", name=op.f("ck_order_reports_status")
        ),
        sa.CheckConstraint(
            "comment IS NULL OR char_length(comment) <= 500",
            name=op.f("ck_order_reports_comment_length"),
        ),
        sa.CheckConstraint(
            "(status = 'pending') = (decided_at IS NULL)"
            " AND (status = 'pending') = (decided_by_id IS NULL)",
            name=op.f("ck_order_reports_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["admin_users.id"],
            name=op.f("fk_order_reports_decided_by_id_admin_users"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_order_reports_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["users.id"], name=op.f("fk_order_reports_reporter_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_reports")),
        sa.UniqueConstraint(
            "order_id", "reporter_id", name=op.f("uq_order_reports_order_id_reporter_id")
        ),
    )
    op.create_index(
        "ix_order_reports_pending",
        "order_reports",
        ["order_id", "created_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.add_column(
        "users", sa.Column("strikes", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.create_check_constraint(op.f("ck_users_strikes_not_negative"), "users", "strikes >= 0")
    _actions(ACTIONS_AFTER, validate=True)


def downgrade() -> None:
    # The audit trail is kept: moderation rows written meanwhile stay, unchecked.
    _actions(ACTIONS_BEFORE, validate=False)
    op.drop_constraint(op.f("ck_users_strikes_not_negative"), "users", type_="check")
    op.drop_column("users", "strikes")
    op.drop_index(
        "ix_order_reports_pending",
        table_name="order_reports",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_table("order_reports")
