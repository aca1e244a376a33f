"""Reaching people: write access and verified phones on users; deliveries waiting for the
user to start the bot keep what they would have said.

Alembic does not compare CHECK constraints, so the delivery status's is replaced by hand.

Revision ID: 0011_reach
Revises: 0010_yookassa
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011_reach"
down_revision: str | None = "0010_yookassa"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES_BEFORE = "'sending', 'retry', 'sent', 'skipped', 'blocked', 'rejected', 'failed'"
STATUSES_AFTER = STATUSES_BEFORE + ", 'needs_start'"


def _statuses(values: str) -> None:
    op.drop_constraint(
        op.f("ck_notification_deliveries_status"), "notification_deliveries", type_="check"
    )
    op.execute(
        "ALTER TABLE notification_deliveries ADD CONSTRAINT "
        f"ck_notification_deliveries_status CHECK (status IN ({values}))"
    )


def upgrade() -> None:
    false = sa.text("false")
    op.add_column(
        "users", sa.Column("allows_write_to_pm", sa.Boolean(), server_default=false, nullable=False)
    )
    op.add_column(
        "users", sa.Column("needs_start", sa.Boolean(), server_default=false, nullable=False)
    )
    op.add_column(
        "users", sa.Column("bot_started", sa.Boolean(), server_default=false, nullable=False)
    )
    op.add_column("users", sa.Column("verified_phone", sa.String(length=32), nullable=True))
    op.add_column(
        "notification_deliveries",
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    )
    _statuses(STATUSES_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM notification_deliveries WHERE status = 'needs_start'")
    _statuses(STATUSES_BEFORE)
    op.drop_column("notification_deliveries", "payload")
    op.drop_column("users", "verified_phone")
    op.drop_column("users", "bot_started")
    op.drop_column("users", "needs_start")
    op.drop_column("users", "allows_write_to_pm")
