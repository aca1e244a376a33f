"""Locations: an order's private point and address with its public grid cell; an
executor's work area and duty. Plain columns and core index types only (B-tree on the
cell, GiST on the work area's box): no extension, so a role that is not a superuser can
run it. The live feed's ``order_created`` payload leaves the point and the address out.

Revision ID: 0012_geo
Revises: 0011_reach
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from srochno.geo import AREA_BOX_SQL

revision: str = "0012_geo"
down_revision: str | None = "0011_reach"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CREATED_EVENT = """
BEGIN
    INSERT INTO order_events (kind, order_id, city_key, category, payload)
    VALUES ('order_created', NEW.id, NEW.city_key, NEW.category,
            to_jsonb(NEW) - 'contact' - 'owner_id'{extra});
    RETURN NULL;
END
"""


def _created_event(extra: str) -> None:
    op.execute(
        "CREATE OR REPLACE FUNCTION srochno_order_created_event() RETURNS trigger "
        f"LANGUAGE plpgsql AS $fn${CREATED_EVENT.format(extra=extra)}$fn$"
    )


def upgrade() -> None:
    op.add_column("orders", sa.Column("lat", sa.Double(), nullable=True))
    op.add_column("orders", sa.Column("lon", sa.Double(), nullable=True))
    op.add_column("orders", sa.Column("address", sa.String(length=200), nullable=True))
    op.add_column("orders", sa.Column("cell", sa.BigInteger(), nullable=True))
    op.create_check_constraint(
        op.f("ck_orders_location_whole"),
        "orders",
        "(lat IS NULL) = (lon IS NULL) AND (lat IS NULL) = (cell IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_orders_location_range"),
        "orders",
        "lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180",
    )
    op.create_index(
        "ix_orders_active_cell",
        "orders",
        ["cell", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'active' AND cell IS NOT NULL"),
        postgresql_include=["expires_at", "first_taken_at", "responded_at", "category"],
    )
    op.add_column("users", sa.Column("area_lat", sa.Double(), nullable=True))
    op.add_column("users", sa.Column("area_lon", sa.Double(), nullable=True))
    op.add_column("users", sa.Column("area_radius_km", sa.Double(), nullable=True))
    op.add_column("users", sa.Column("on_duty_until", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(
        op.f("ck_users_area_whole"),
        "users",
        "(area_lat IS NULL) = (area_lon IS NULL) AND (area_lat IS NULL) = (area_radius_km IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_users_area_range"),
        "users",
        "area_lat BETWEEN -90 AND 90 AND area_lon BETWEEN -180 AND 180 "
        "AND area_radius_km > 0 AND area_radius_km <= 500",
    )
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
    _created_event(" - 'lat' - 'lon' - 'address'")


def downgrade() -> None:
    _created_event("")
    op.drop_index("ix_users_subscribed_cities", table_name="users", postgresql_using="gin")
    op.drop_index("ix_users_duty_area", table_name="users")
    op.drop_constraint(op.f("ck_users_area_range"), "users", type_="check")
    op.drop_constraint(op.f("ck_users_area_whole"), "users", type_="check")
    for column in ("on_duty_until", "area_radius_km", "area_lon", "area_lat"):
        op.drop_column("users", column)
    op.drop_index(
        "ix_orders_active_cell",
        table_name="orders",
        postgresql_where=sa.text("status = 'active' AND cell IS NOT NULL"),
    )
    for name in ("location_range", "location_whole"):
        op.drop_constraint(op.f(f"ck_orders_{name}"), "orders", type_="check")
    for column in ("cell", "address", "lon", "lat"):
        op.drop_column("orders", column)
