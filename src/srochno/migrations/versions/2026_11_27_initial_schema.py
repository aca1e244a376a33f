"""Initial schema: users, orders, takes, the ledger, reviews and complaints.

Revision ID: 0001
Revises:
Create Date: 2026-11-27 07:26:20.572952
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("first_name", sa.String(length=256), nullable=True),
        sa.Column("last_name", sa.String(length=256), nullable=True),
        sa.Column("language_code", sa.String(length=16), nullable=True),
        sa.Column("photo_url", sa.Text(), nullable=True),
        sa.Column("is_premium", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("is_banned", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("balance", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "completed_orders_count", sa.Integer(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("rating_sum", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("reviews_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("complaints_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "subscribed_categories",
            postgresql.ARRAY(sa.String(length=32)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "subscribed_cities",
            postgresql.ARRAY(sa.String(length=64)),
            server_default=sa.text("'{}'"),
            nullable=False,
        ),
        sa.Column(
            "notification_frequency",
            sa.String(length=16),
            server_default=sa.text("'instant'"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "notification_frequency IN ('instant', 'hourly', 'daily', 'off')",
            name=op.f("ck_users_notification_frequency"),
        ),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_users_balance_not_negative")),
        sa.CheckConstraint(
            "reviews_count >= 0 AND rating_sum >= 0", name=op.f("ck_users_rating_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    op.create_table(
        "orders",
        sa.Column("id", sa.String(length=12), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("city", sa.String(length=64), nullable=False),
        sa.Column("city_key", sa.String(length=256), nullable=False),
        sa.Column("contact", sa.String(length=128), nullable=False),
        sa.Column(
            "status", sa.String(length=24), server_default=sa.text("'active'"), nullable=False
        ),
        sa.Column("max_executors", sa.SmallInteger(), nullable=False),
        sa.Column("take_price", sa.BigInteger(), nullable=False),
        sa.Column(
            "executors_count", sa.SmallInteger(), server_default=sa.text("0"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_executor_id", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('active', 'expired', 'deleted', 'closed_no_response', 'completed')",
            name=op.f("ck_orders_status"),
        ),
        sa.CheckConstraint(
            "executors_count >= 0 AND executors_count <= max_executors",
            name=op.f("ck_orders_executors_cap"),
        ),
        sa.CheckConstraint("expires_at > created_at", name=op.f("ck_orders_expires_after_created")),
        sa.ForeignKeyConstraint(
            ["completed_executor_id"],
            ["users.id"],
            name=op.f("fk_orders_completed_executor_id_users"),
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], name=op.f("fk_orders_owner_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_orders")),
    )
    op.create_index(
        "ix_orders_active_category",
        "orders",
        ["category", sa.literal_column("created_at DESC")],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index(
        "ix_orders_active_created",
        "orders",
        [sa.literal_column("created_at DESC")],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index(
        "ix_orders_active_feed",
        "orders",
        ["city_key", "category", sa.literal_column("created_at DESC")],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index(
        "ix_orders_expiry_due",
        "orders",
        ["expires_at"],
        unique=False,
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_index(
        "ix_orders_no_response_due",
        "orders",
        ["first_taken_at"],
        unique=False,
        postgresql_where=sa.text(
            "status IN ('active', 'expired') AND responded_at IS NULL AND first_taken_at IS NOT NULL"
        ),
    )
    op.create_index(
        "ix_orders_owner",
        "orders",
        ["owner_id", sa.literal_column("created_at DESC")],
        unique=False,
    )
    op.create_table(
        "complaints",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=12), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("client_id", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('no_response', 'fake_order', 'wrong_contact', 'rude', 'other')",
            name=op.f("ck_complaints_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_complaints_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_complaints_client_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_complaints_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("order_id", "author_id", name=op.f("uq_complaints_order_id_author_id")),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=12), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("executor_id", sa.BigInteger(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_reviews_rating_range")),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_reviews_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["executor_id"], ["users.id"], name=op.f("fk_reviews_executor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_reviews_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
        sa.UniqueConstraint(
            "order_id",
            "author_id",
            "executor_id",
            name=op.f("uq_reviews_order_id_author_id_executor_id"),
        ),
    )
    op.create_index("ix_reviews_created", "reviews", [sa.literal_column("id DESC")], unique=False)
    op.create_index(
        "ix_reviews_executor",
        "reviews",
        ["executor_id", sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_table(
        "takes",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("order_id", sa.String(length=12), nullable=False),
        sa.Column("executor_id", sa.BigInteger(), nullable=False),
        sa.Column("price_paid", sa.BigInteger(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.CheckConstraint("price_paid >= 0", name=op.f("ck_takes_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["executor_id"], ["users.id"], name=op.f("fk_takes_executor_id_users")
        ),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"], name=op.f("fk_takes_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takes")),
        sa.UniqueConstraint(
            "executor_id", "idempotency_key", name=op.f("uq_takes_executor_id_idempotency_key")
        ),
        sa.UniqueConstraint("order_id", "executor_id", name=op.f("uq_takes_order_id_executor_id")),
    )
    op.create_index(
        "ix_takes_executor_taken",
        "takes",
        ["executor_id", sa.literal_column("taken_at DESC")],
        unique=False,
    )
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("balance_after", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.String(length=12), nullable=True),
        sa.Column("take_id", sa.BigInteger(), nullable=True),
        sa.Column("method", sa.String(length=32), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(type = 'order_take' AND amount <= 0) OR (type = 'refund' AND amount >= 0) OR (type = 'recharge' AND amount > 0) OR type = 'adjustment'",
            name=op.f("ck_ledger_entries_amount_sign"),
        ),
        sa.CheckConstraint(
            "(type IN ('order_take', 'refund')) = (take_id IS NOT NULL)",
            name=op.f("ck_ledger_entries_take_link"),
        ),
        sa.CheckConstraint(
            "type IN ('recharge', 'order_take', 'refund', 'adjustment')",
            name=op.f("ck_ledger_entries_type"),
        ),
        sa.CheckConstraint(
            "balance_after >= 0", name=op.f("ck_ledger_entries_balance_after_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_ledger_entries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["take_id"], ["takes.id"], name=op.f("fk_ledger_entries_take_id_takes")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ledger_entries_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint(
            "user_id", "idempotency_key", name=op.f("uq_ledger_entries_user_id_idempotency_key")
        ),
    )
    op.create_index(
        "ix_ledger_entries_user_id",
        "ledger_entries",
        ["user_id", sa.literal_column("id DESC")],
        unique=False,
    )
    op.create_index(
        "uq_ledger_entries_take_charge",
        "ledger_entries",
        ["take_id"],
        unique=True,
        postgresql_where=sa.text("type = 'order_take'"),
    )
    op.create_index(
        "uq_ledger_entries_take_refund",
        "ledger_entries",
        ["take_id"],
        unique=True,
        postgresql_where=sa.text("type = 'refund'"),
    )


def downgrade() -> None:

    op.drop_index(
        "uq_ledger_entries_take_refund",
        table_name="ledger_entries",
        postgresql_where=sa.text("type = 'refund'"),
    )
    op.drop_index(
        "uq_ledger_entries_take_charge",
        table_name="ledger_entries",
        postgresql_where=sa.text("type = 'order_take'"),
    )
    op.drop_index("ix_ledger_entries_user_id", table_name="ledger_entries")
    op.drop_table("ledger_entries")
    op.drop_index("ix_takes_executor_taken", table_name="takes")
    op.drop_table("takes")
    op.drop_index("ix_reviews_executor", table_name="reviews")
    op.drop_index("ix_reviews_created", table_name="reviews")
    op.drop_table("reviews")
    op.drop_table("complaints")
    op.drop_index("ix_orders_owner", table_name="orders")
    op.drop_index(
        "ix_orders_no_response_due",
        table_name="orders",
        postgresql_where=sa.text(
            "status IN ('active', 'expired') AND responded_at IS NULL AND first_taken_at IS NOT NULL"
        ),
    )
    op.drop_index(
        "ix_orders_expiry_due", table_name="orders", postgresql_where=sa.text("status = 'active'")
    )
    op.drop_index(
        "ix_orders_active_feed", table_name="orders", postgresql_where=sa.text("status = 'active'")
    )
    op.drop_index(
        "ix_orders_active_created",
        table_name="orders",
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_index(
        "ix_orders_active_category",
        table_name="orders",
        postgresql_where=sa.text("status = 'active'"),
    )
    op.drop_table("orders")
    op.drop_table("users")
