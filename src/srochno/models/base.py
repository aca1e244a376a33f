"""The declarative base: one MetaData with a naming convention, so constraint and index
names are stable for Alembic autogenerate."""

from __future__ import annotations

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


Timestamp = DateTime(timezone=True)


def one_of(column: str, values: str) -> str:
    """A CHECK that ``column`` holds one of ``values`` (see :func:`srochno.enums.sql_list`)."""
    return f"{column} IN ({values})"
