"""The live feed's event log (written by triggers, ids given at commit in commit order)
and the rate limiter's unlogged counters.

Revision ID: 0007_live
Revises: 0006_notify
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_live"
down_revision: str | None = "0006_notify"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every transaction that wrote events takes this transaction-level advisory lock at
# COMMIT (a deferred constraint trigger) and only then gives its events their final ids:
# ids therefore grow in commit order, and a reader that has seen id N has seen every
# event below N. (Ids drawn at INSERT would not: a transaction that drew a smaller id can
# commit later, and "id > last seen" would skip it.) The lock is held from the trigger to
# the end of the commit, never while a row lock is waited for, so it cannot deadlock.
EVENTS_LOCK = 5_352_004
CHANNEL = "srochno_events"

FUNCTIONS = {
    "srochno_order_event_commit": f"""
BEGIN
    PERFORM pg_advisory_xact_lock({EVENTS_LOCK});
    UPDATE order_events SET id = nextval('order_events_id_seq') WHERE id = NEW.id
    RETURNING id INTO NEW.id;
    PERFORM pg_notify('{CHANNEL}', NEW.id::text);
    RETURN NULL;
END
""",
    "srochno_order_created_event": """
BEGIN
    INSERT INTO order_events (kind, order_id, city_key, category, payload)
    VALUES ('order_created', NEW.id, NEW.city_key, NEW.category,
            to_jsonb(NEW) - 'contact' - 'owner_id');
    RETURN NULL;
END
""",
    "srochno_order_changed_event": """
BEGIN
    IF NEW.status IS DISTINCT FROM OLD.status AND NEW.status <> 'active' THEN
        INSERT INTO order_events (kind, order_id, city_key, category, payload)
        VALUES ('order_closed', NEW.id, NEW.city_key, NEW.category,
                jsonb_build_object('id', NEW.id, 'status', NEW.status));
    ELSIF NEW.executors_count IS DISTINCT FROM OLD.executors_count THEN
        INSERT INTO order_events (kind, order_id, city_key, category, payload)
        VALUES ('order_updated', NEW.id, NEW.city_key, NEW.category,
                jsonb_build_object('id', NEW.id, 'status', NEW.status,
                                   'executors_count', NEW.executors_count,
                                   'slots_left',
                                   greatest(0, NEW.max_executors - NEW.executors_count)));
        IF NEW.executors_count > OLD.executors_count THEN
            INSERT INTO order_events (kind, order_id, user_id, payload)
            VALUES ('order_taken', NEW.id, NEW.owner_id,
                    jsonb_build_object('order_id', NEW.id,
                                       'executors_count', NEW.executors_count,
                                       'slots_left',
                                       greatest(0, NEW.max_executors - NEW.executors_count)));
        END IF;
    END IF;
    RETURN NULL;
END
""",
    "srochno_take_refunded_event": """
BEGIN
    INSERT INTO order_events (kind, order_id, user_id, payload)
    VALUES ('refund', NEW.order_id, NEW.executor_id,
            jsonb_build_object('order_id', NEW.order_id, 'amount', NEW.price_paid));
    RETURN NULL;
END
""",
    "srochno_balance_event": """
BEGIN
    INSERT INTO order_events (kind, order_id, user_id, payload)
    VALUES ('balance', NEW.order_id, NEW.user_id,
            jsonb_build_object('balance', NEW.balance_after, 'amount', NEW.amount,
                               'type', NEW.type, 'order_id', NEW.order_id));
    RETURN NULL;
END
""",
    "srochno_payment_paid_event": """
BEGIN
    INSERT INTO order_events (kind, user_id, payload)
    VALUES ('payment_paid', NEW.user_id,
            jsonb_build_object('payment_id', NEW.id, 'stars', NEW.stars,
                               'amount', NEW.amount_rub));
    RETURN NULL;
END
""",
}

TRIGGERS = (
    (
        "order_events_commit",
        "CREATE CONSTRAINT TRIGGER order_events_commit AFTER INSERT ON order_events "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
        "EXECUTE FUNCTION srochno_order_event_commit()",
        "order_events",
    ),
    (
        "orders_created_event",
        "CREATE TRIGGER orders_created_event AFTER INSERT ON orders "
        "FOR EACH ROW EXECUTE FUNCTION srochno_order_created_event()",
        "orders",
    ),
    (
        "orders_changed_event",
        "CREATE TRIGGER orders_changed_event AFTER UPDATE OF status, executors_count ON orders "
        "FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
        "OR OLD.executors_count IS DISTINCT FROM NEW.executors_count) "
        "EXECUTE FUNCTION srochno_order_changed_event()",
        "orders",
    ),
    (
        "takes_refunded_event",
        "CREATE TRIGGER takes_refunded_event AFTER UPDATE OF refunded_at ON takes "
        "FOR EACH ROW WHEN (OLD.refunded_at IS NULL AND NEW.refunded_at IS NOT NULL) "
        "EXECUTE FUNCTION srochno_take_refunded_event()",
        "takes",
    ),
    (
        "ledger_entries_balance_event",
        "CREATE TRIGGER ledger_entries_balance_event AFTER INSERT ON ledger_entries "
        "FOR EACH ROW EXECUTE FUNCTION srochno_balance_event()",
        "ledger_entries",
    ),
    (
        "payments_paid_event",
        "CREATE TRIGGER payments_paid_event AFTER UPDATE OF status ON payments "
        "FOR EACH ROW WHEN (NEW.status = 'paid' AND OLD.status IS DISTINCT FROM 'paid') "
        "EXECUTE FUNCTION srochno_payment_paid_event()",
        "payments",
    ),
)


def upgrade() -> None:
    op.create_table(
        "order_events",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("order_id", sa.String(length=32), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("city_key", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("payload", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_events")),
    )
    op.create_index(
        "ix_order_events_user_id",
        "order_events",
        ["user_id", "id"],
        unique=False,
        postgresql_where=sa.text("user_id IS NOT NULL"),
    )
    op.create_index("ix_order_events_created_at", "order_events", ["created_at"], unique=False)
    op.create_table(
        "rate_limit_windows",
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_windows")),
        prefixes=["UNLOGGED"],
    )
    for name, body in FUNCTIONS.items():
        op.execute(f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn${body}$fn$")
    for _, statement, _ in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for name, _, table in reversed(TRIGGERS):
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    op.drop_table("rate_limit_windows")
    op.drop_index("ix_order_events_created_at", table_name="order_events")
    op.drop_index("ix_order_events_user_id", table_name="order_events")
    op.drop_table("order_events")
