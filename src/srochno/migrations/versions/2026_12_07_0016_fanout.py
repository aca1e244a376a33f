"""The fan-out of a new order reads two narrow tables kept by triggers on ``users``:
``instant_subscribers`` (category, city, user) and ``duty_areas`` (an on-duty work area
per category, its box moved by the category's slot so one GiST index over core ``box``
filters by category too). Both are read by index-only scans; the two ``users`` indexes
the fan-out read before (GIN on the cities, GiST on the area's box) go. No extension.

Safe to apply while the previous version runs: it reads ``users`` as before; the triggers
keep the new tables right from the moment they exist (the backfill runs after them, in
the same transaction).

Revision ID: 0016_fanout
Revises: 0015_push
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from srochno.geo import AREA_BOX_SQL
from srochno.models.notifications import Box

revision: str = "0016_fanout"
down_revision: str | None = "0015_push"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A category's slot (0..65535, from its md5: stable across servers and versions); a box
# moved 360° east per slot never meets another slot's boxes at real longitudes. Slots of
# two categories may coincide: the fan-out compares the category as well.
CATEGORY_SHIFT = """
CREATE FUNCTION srochno_category_shift(category text) RETURNS point
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $fn$ SELECT point(360 * ('x' || left(md5(category), 4))::bit(16)::integer, 0) $fn$
"""
# The rows a user holds in each table (none unless they can be written to). A user with
# no category chosen is on duty for every category: '*'.
INSTANT_ROWS = """
CREATE FUNCTION srochno_instant_subscriptions(u users)
RETURNS TABLE (category varchar, city_key varchar)
LANGUAGE sql STABLE
AS $fn$
SELECT DISTINCT c, k FROM unnest(u.subscribed_categories) AS c, unnest(u.subscribed_cities) AS k
WHERE u.notification_frequency = 'instant' AND NOT u.is_banned AND NOT u.bot_blocked
  AND c IS NOT NULL AND k IS NOT NULL
$fn$
"""
DUTY_ROWS = f"""
CREATE FUNCTION srochno_duty_areas(u users)
RETURNS TABLE (category varchar, area_lat float8, area_lon float8, area_radius_km float8,
               on_duty_until timestamptz, reach box)
LANGUAGE sql STABLE
AS $fn$
SELECT c.category, a.area_lat, a.area_lon, a.area_radius_km, a.on_duty_until,
       {AREA_BOX_SQL} + srochno_category_shift(c.category)
FROM (SELECT u.area_lat, u.area_lon, u.area_radius_km, u.on_duty_until) AS a,
     (SELECT DISTINCT category
      FROM unnest(CASE WHEN cardinality(u.subscribed_categories) = 0 THEN ARRAY['*']::varchar[]
                       ELSE u.subscribed_categories END) AS category
      WHERE category IS NOT NULL) AS c
WHERE u.on_duty_until IS NOT NULL AND u.area_lat IS NOT NULL
  AND u.notification_frequency <> 'off' AND NOT u.is_banned AND NOT u.bot_blocked
$fn$
"""
SYNC = """
CREATE FUNCTION srochno_sync_{table}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM {table} WHERE user_id = NEW.id;
    INSERT INTO {table} (user_id, {columns})
    SELECT NEW.id, {columns} FROM srochno_{rows}(NEW);
    RETURN NULL;
END
$fn$
"""
INSTANT_COLUMNS = "category, city_key"
DUTY_COLUMNS = "category, area_lat, area_lon, area_radius_km, on_duty_until, reach"
WATCHED = {
    "instant_subscribers": (
        "subscribed_categories",
        "subscribed_cities",
        "notification_frequency",
        "is_banned",
        "bot_blocked",
    ),
    "duty_areas": (
        "subscribed_categories",
        "notification_frequency",
        "is_banned",
        "bot_blocked",
        "area_lat",
        "area_lon",
        "area_radius_km",
        "on_duty_until",
    ),
}


def _triggers(table: str) -> None:
    columns = WATCHED[table]
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
    op.execute(
        f"CREATE TRIGGER users_{table}_insert AFTER INSERT ON users "
        f"FOR EACH ROW EXECUTE FUNCTION srochno_sync_{table}()"
    )
    op.execute(
        f"CREATE TRIGGER users_{table}_update AFTER UPDATE OF {', '.join(columns)} ON users "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION srochno_sync_{table}()"
    )


def upgrade() -> None:
    op.create_table(
        "instant_subscribers",
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("city_key", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_instant_subscribers_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "category", "city_key", "user_id", name=op.f("pk_instant_subscribers")
        ),
    )
    op.create_table(
        "duty_areas",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("area_lat", sa.Double(), nullable=False),
        sa.Column("area_lon", sa.Double(), nullable=False),
        sa.Column("area_radius_km", sa.Double(), nullable=False),
        sa.Column("on_duty_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reach", Box(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_duty_areas_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "category", name=op.f("pk_duty_areas")),
    )
    op.create_index(
        "ix_duty_areas_reach",
        "duty_areas",
        ["reach"],
        unique=False,
        postgresql_using="gist",
        postgresql_include=[
            "category",
            "user_id",
            "area_lat",
            "area_lon",
            "area_radius_km",
            "on_duty_until",
        ],
    )
    op.execute(CATEGORY_SHIFT)
    op.execute(INSTANT_ROWS)
    op.execute(DUTY_ROWS)
    op.execute(
        SYNC.format(
            table="instant_subscribers", columns=INSTANT_COLUMNS, rows="instant_subscriptions"
        )
    )
    op.execute(SYNC.format(table="duty_areas", columns=DUTY_COLUMNS, rows="duty_areas"))
    op.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")  # no change slips between
    _triggers("instant_subscribers")
    _triggers("duty_areas")
    op.execute(
        f"INSERT INTO instant_subscribers (user_id, {INSTANT_COLUMNS}) "
        f"SELECT u.id, s.* FROM users AS u, srochno_instant_subscriptions(u) AS s"
    )
    op.execute(
        f"INSERT INTO duty_areas (user_id, {DUTY_COLUMNS}) "
        f"SELECT u.id, d.* FROM users AS u, srochno_duty_areas(u) AS d"
    )
    op.drop_index("ix_users_subscribed_cities", table_name="users", postgresql_using="gin")
    op.drop_index("ix_users_duty_area", table_name="users")


def downgrade() -> None:
    op.execute(
        f"CREATE INDEX ix_users_duty_area ON users USING gist (({AREA_BOX_SQL})) "
        "WHERE on_duty_until IS NOT NULL"
    )
    op.create_index(
        "ix_users_subscribed_cities",
        "users",
        ["subscribed_cities"],
        unique=False,
        postgresql_using="gin",
    )
    for table in ("duty_areas", "instant_subscribers"):
        for when in ("update", "insert"):
            op.execute(f"DROP TRIGGER users_{table}_{when} ON users")
        op.execute(f"DROP FUNCTION srochno_sync_{table}()")
    op.execute("DROP FUNCTION srochno_duty_areas(users)")
    op.execute("DROP FUNCTION srochno_instant_subscriptions(users)")
    op.execute("DROP FUNCTION srochno_category_shift(text)")
    op.drop_index("ix_duty_areas_reach", table_name="duty_areas", postgresql_using="gist")
    op.drop_table("duty_areas")
    op.drop_table("instant_subscribers")
