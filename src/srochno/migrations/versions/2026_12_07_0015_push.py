"""Web Push: the devices' subscriptions, a device in each delivery's key (push is sent once
per device), and links that confirm an address for an account.

Revision ID: 0015_push
Revises: 0014_operate2
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_push"
down_revision: str | None = "0014_operate2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES_BEFORE = (
    "'sending', 'retry', 'sent', 'skipped', 'blocked', 'rejected', 'failed', 'needs_start'"
)
STATUSES_AFTER = STATUSES_BEFORE + ", 'gone'"


def _statuses(values: str) -> None:
    op.drop_constraint(
        op.f("ck_notification_deliveries_status"), "notification_deliveries", type_="check"
    )
    op.execute(
        "ALTER TABLE notification_deliveries ADD CONSTRAINT "
        f"ck_notification_deliveries_status CHECK (status IN ({values}))"
    )


def upgrade() -> None:
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("endpoint", sa.Text(), nullable=False),
        sa.Column("p256dh", sa.String(length=128), nullable=False),
        sa.Column("auth", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "endpoint LIKE 'https://%'", name=op.f("ck_push_subscriptions_endpoint_https")
        ),
        sa.CheckConstraint(
            "char_length(endpoint) <= 2048", name=op.f("ck_push_subscriptions_endpoint_length")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_push_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscriptions")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscriptions_endpoint")),
    )
    op.create_index(op.f("ix_push_subscriptions_user_id"), "push_subscriptions", ["user_id"])

    op.add_column(
        "notification_deliveries",
        sa.Column("device", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
    )
    op.drop_constraint(
        op.f("pk_notification_deliveries"), "notification_deliveries", type_="primary"
    )
    op.create_primary_key(
        op.f("pk_notification_deliveries"),
        "notification_deliveries",
        ["event_key", "user_id", "channel", "device"],
    )
    op.drop_constraint(
        op.f("ck_notification_deliveries_channel"), "notification_deliveries", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_notification_deliveries_channel"),
        "notification_deliveries",
        "channel IN ('telegram', 'email', 'push')",
    )
    op.create_check_constraint(
        op.f("ck_notification_deliveries_device"),
        "notification_deliveries",
        "(channel = 'push') = (device > 0)",
    )
    _statuses(STATUSES_AFTER)

    op.add_column("email_sign_ins", sa.Column("user_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_email_sign_ins_user_id_users"),
        "email_sign_ins",
        "users",
        ["user_id"],
        ["id"],
        ondelete="CASCADE",
    )


def downgrade() -> None:
    op.drop_constraint(
        op.f("fk_email_sign_ins_user_id_users"), "email_sign_ins", type_="foreignkey"
    )
    op.drop_column("email_sign_ins", "user_id")
    op.execute("DELETE FROM notification_deliveries WHERE channel = 'push'")
    _statuses(STATUSES_BEFORE)
    op.drop_constraint(
        op.f("ck_notification_deliveries_device"), "notification_deliveries", type_="check"
    )
    op.drop_constraint(
        op.f("ck_notification_deliveries_channel"), "notification_deliveries", type_="check"
    )
    op.create_check_constraint(
        op.f("ck_notification_deliveries_channel"),
        "notification_deliveries",
        "channel IN ('telegram', 'email')",
    )
    op.drop_constraint(
        op.f("pk_notification_deliveries"), "notification_deliveries", type_="primary"
    )
    op.create_primary_key(
        op.f("pk_notification_deliveries"),
        "notification_deliveries",
        ["event_key", "user_id", "channel"],
    )
    op.drop_column("notification_deliveries", "device")
    op.drop_index(op.f("ix_push_subscriptions_user_id"), table_name="push_subscriptions")
    op.drop_table("push_subscriptions")
