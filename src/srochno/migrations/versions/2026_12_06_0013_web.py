"""The open web: web accounts (negative ids from ``web_user_ids``, a verified e-mail),
e-mail sign-in links, web sessions, and a channel on each notification delivery.

Revision ID: 0013_web
Revises: 0012_geo
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_web"
down_revision: str | None = "0012_geo"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Web accounts count down from -1; Telegram's ids are positive: they never meet.
    op.execute(
        "CREATE SEQUENCE web_user_ids AS bigint INCREMENT BY -1 MINVALUE "
        "-9223372036854775808 MAXVALUE -1 START WITH -1 OWNED BY users.id"
    )
    op.add_column("users", sa.Column("email", sa.String(length=254), nullable=True))
    op.add_column(
        "users",
        sa.Column(
            "email_notifications", sa.Boolean(), server_default=sa.text("true"), nullable=False
        ),
    )
    op.create_unique_constraint(op.f("uq_users_email"), "users", ["email"])
    op.create_check_constraint(op.f("ck_users_id_not_zero"), "users", "id <> 0")
    op.create_check_constraint(
        op.f("ck_users_web_account_has_email"), "users", "id > 0 OR email IS NOT NULL"
    )
    op.create_check_constraint(op.f("ck_users_email_lower_case"), "users", "email = lower(email)")

    op.create_table(
        "email_sign_ins",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language_code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_email_sign_ins_expires_after_creation")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_email_sign_ins")),
    )
    op.create_index(
        op.f("ix_email_sign_ins_created_at"), "email_sign_ins", ["created_at"], unique=False
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "expires_at > created_at", name=op.f("ck_web_sessions_expires_after_creation")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_web_sessions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"])
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])

    op.add_column(
        "notification_deliveries",
        sa.Column(
            "channel", sa.String(length=16), server_default=sa.text("'telegram'"), nullable=False
        ),
    )
    op.drop_constraint(
        op.f("pk_notification_deliveries"), "notification_deliveries", type_="primary"
    )
    op.create_primary_key(
        op.f("pk_notification_deliveries"),
        "notification_deliveries",
        ["event_key", "user_id", "channel"],
    )
    op.create_check_constraint(
        op.f("ck_notification_deliveries_channel"),
        "notification_deliveries",
        "channel IN ('telegram', 'email')",
    )
    op.create_check_constraint(
        op.f("ck_notification_deliveries_telegram_user_only"),
        "notification_deliveries",
        "channel <> 'telegram' OR user_id > 0",
    )


def downgrade() -> None:
    op.execute("DELETE FROM notification_deliveries WHERE channel <> 'telegram'")
    op.drop_constraint(
        op.f("ck_notification_deliveries_telegram_user_only"),
        "notification_deliveries",
        type_="check",
    )
    op.drop_constraint(
        op.f("ck_notification_deliveries_channel"), "notification_deliveries", type_="check"
    )
    op.drop_constraint(
        op.f("pk_notification_deliveries"), "notification_deliveries", type_="primary"
    )
    op.create_primary_key(
        op.f("pk_notification_deliveries"), "notification_deliveries", ["event_key", "user_id"]
    )
    op.drop_column("notification_deliveries", "channel")
    op.drop_index(op.f("ix_web_sessions_user_id"), table_name="web_sessions")
    op.drop_index(op.f("ix_web_sessions_expires_at"), table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index(op.f("ix_email_sign_ins_created_at"), table_name="email_sign_ins")
    op.drop_table("email_sign_ins")
    op.drop_constraint(op.f("ck_users_email_lower_case"), "users", type_="check")
    op.drop_constraint(op.f("ck_users_web_account_has_email"), "users", type_="check")
    op.drop_constraint(op.f("ck_users_id_not_zero"), "users", type_="check")
    op.drop_constraint(op.f("uq_users_email"), "users", type_="unique")
    op.drop_column("users", "email_notifications")
    op.drop_column("users", "email")
    op.execute("DROP SEQUENCE web_user_ids")
