"""Notifications: pgqueuer's job tables (its own install SQL), the delivery keys, the
shared send gate, the per-chat turns and the periodic runs.

Revision ID: 0006_notify
Revises: 0005_admin_refund
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from pgqueuer.adapters.persistence import qb
from sqlalchemy.util import await_only

revision: str = "0006_notify"
down_revision: str | None = "0005_admin_refund"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = "'sending', 'retry', 'sent', 'skipped', 'blocked', 'rejected', 'failed'"


def _run_script(sql: str) -> None:
    """Several statements (a function body included) in one simple query, in the
    migration's transaction: asyncpg's ``execute`` without arguments."""
    raw = op.get_bind().connection.dbapi_connection
    assert raw is not None
    await_only(raw.driver_connection.execute(sql))


def upgrade() -> None:
    _run_script(qb.QueryBuilderEnvironment().build_install_query(create_schema=False))
    op.create_table(
        "notification_deliveries",
        sa.Column("event_key", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            f"status IN ({STATUSES})", name=op.f("ck_notification_deliveries_status")
        ),
        sa.PrimaryKeyConstraint("event_key", "user_id", name=op.f("pk_notification_deliveries")),
    )
    op.create_index(
        op.f("ix_notification_deliveries_updated_at"),
        "notification_deliveries",
        ["updated_at"],
    )
    op.create_table(
        "notification_gate",
        sa.Column("id", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_notification_gate_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_gate")),
    )
    op.execute("INSERT INTO notification_gate (id, next_at, paused_until) VALUES (1, now(), now())")
    op.create_table(
        "notification_chats",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", name=op.f("pk_notification_chats")),
    )
    op.create_table(
        "notification_runs",
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_notification_runs")),
    )


def downgrade() -> None:
    op.drop_table("notification_runs")
    op.drop_table("notification_chats")
    op.drop_table("notification_gate")
    op.drop_index(
        op.f("ix_notification_deliveries_updated_at"), table_name="notification_deliveries"
    )
    op.drop_table("notification_deliveries")
    _run_script(qb.QueryBuilderEnvironment().build_uninstall_query())
