"""Operators may refund a Stars payment from the panel: a new kind of audit row.

Revision ID: 0005_admin_refund
Revises: 0004_ops
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005_admin_refund"
down_revision: str | None = "0004_ops"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIONS_BEFORE = (
    "'ban_user', 'unban_user', 'cancel_order', 'hide_review', 'unhide_review', "
    "'resolve_complaint', 'adjust_balance'"
)
ACTIONS_AFTER = ACTIONS_BEFORE + ", 'refund_payment'"


def _actions(values: str, *, validate: bool) -> None:
    op.drop_constraint(op.f("ck_admin_actions_action"), "admin_actions", type_="check")
    op.execute(
        f"ALTER TABLE admin_actions ADD CONSTRAINT ck_admin_actions_action "
        f"CHECK (action IN ({values})){'' if validate else ' NOT VALID'}"
    )


def upgrade() -> None:
    _actions(ACTIONS_AFTER, validate=True)


def downgrade() -> None:
    # The audit trail is kept: refund rows written meanwhile stay, unchecked.
    _actions(ACTIONS_BEFORE, validate=False)
