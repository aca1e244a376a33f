"""Operators: admin accounts, their audit trail and sign-in attempts; hidden reviews,
resolved complaints, cancelled orders; indexes for the dashboard's days.

Revision ID: 0004_ops
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_ops"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES_BEFORE = "'active', 'expired', 'deleted', 'closed_no_response', 'completed'"
STATUSES_AFTER = STATUSES_BEFORE + ", 'cancelled'"
ACTIONS = (
    "'ban_user', 'unban_user', 'cancel_order', 'hide_review', 'unhide_review', "
    "'resolve_complaint', 'adjust_balance'"
)


def upgrade() -> None:
    op.create_table(
        "admin_users",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("role IN ('admin', 'moderator')", name=op.f("ck_admin_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_users")),
        sa.UniqueConstraint("name", name=op.f("uq_admin_users_name")),
    )
    op.create_table(
        "admin_actions",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("admin_id", sa.BigInteger(), nullable=False),
        sa.Column("admin_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target_type", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"action IN ({ACTIONS})", name=op.f("ck_admin_actions_action")),
        sa.CheckConstraint("length(btrim(reason)) > 0", name=op.f("ck_admin_actions_reason_given")),
        sa.ForeignKeyConstraint(
            ["admin_id"], ["admin_users.id"], name=op.f("fk_admin_actions_admin_id_admin_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_actions")),
    )
    op.create_index(
        "ix_admin_actions_created", "admin_actions", [sa.text("created_at DESC")], unique=False
    )
    op.create_index(
        "ix_admin_actions_target", "admin_actions", ["target_type", "target_id"], unique=False
    )
    op.create_table(
        "admin_login_attempts",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_login_attempts")),
    )
    op.create_index(
        "ix_admin_login_attempts_address", "admin_login_attempts", ["address", "attempted_at"]
    )
    op.create_index("ix_admin_login_attempts_attempted", "admin_login_attempts", ["attempted_at"])
    op.create_index(
        "ix_admin_login_attempts_name", "admin_login_attempts", ["name", "attempted_at"]
    )

    op.add_column("reviews", sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("complaints", sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("complaints", sa.Column("resolution_note", sa.Text(), nullable=True))
    op.add_column("complaints", sa.Column("resolved_by_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_complaints_resolved_by_id_admin_users"),
        "complaints",
        "admin_users",
        ["resolved_by_id"],
        ["id"],
    )

    op.drop_constraint(op.f("ck_orders_status"), "orders", type_="check")
    op.create_check_constraint(op.f("ck_orders_status"), "orders", f"status IN ({STATUSES_AFTER})")

    op.create_index(
        "ix_orders_created",
        "orders",
        ["created_at"],
        postgresql_include=["status", "first_taken_at"],
    )
    op.create_index("ix_takes_taken", "takes", ["taken_at"], postgresql_include=["executor_id"])
    op.create_index(
        "ix_ledger_entries_created",
        "ledger_entries",
        ["created_at"],
        postgresql_include=["type", "amount", "method"],
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_created", table_name="ledger_entries")
    op.drop_index("ix_takes_taken", table_name="takes")
    op.drop_index("ix_orders_created", table_name="orders")
    op.drop_constraint(op.f("ck_orders_status"), "orders", type_="check")
    op.create_check_constraint(op.f("ck_orders_status"), "orders", f"status IN ({STATUSES_BEFORE})")
    op.drop_constraint(
        op.f("fk_complaints_resolved_by_id_admin_users"), "complaints", type_="foreignkey"
    )
    op.drop_column("complaints", "resolved_by_id")
    op.drop_column("complaints", "resolution_note")
    op.drop_column("complaints", "resolved_at")
    op.drop_column("reviews", "hidden_at")
    op.drop_table("admin_login_attempts")
    op.drop_table("admin_actions")
    op.drop_table("admin_users")
