"""The first admin from ``FIRST_ADMIN_NAME``/``FIRST_ADMIN_PASSWORD``: created once, when
there is no operator at all; never changed by the environment afterwards."""

from __future__ import annotations

import asyncio

import pytest

from srochno.config import ConfigurationError
from srochno.staff.first_admin import create_first_admin
from srochno.staff.service import sign_in
from tests.helpers import scalar


async def test_created_once_and_only_when_there_is_no_operator(app, engine):
    db = app.state.db
    made = await asyncio.gather(
        *(create_first_admin(db, "anna", "first password") for _ in range(3))
    )
    assert sorted(made) == [False, False, True]  # processes starting together: one creates it
    async with db.connection() as conn:
        operator = await sign_in(conn, app.state.settings, "anna", "first password", "192.0.2.1")
    assert operator.role == "admin"
    # A later start with another password (or name) changes nothing.
    assert not await create_first_admin(db, "anna", "another password")
    assert not await create_first_admin(db, "boris", "another password")
    assert await scalar(engine, "SELECT count(*) FROM admin_users") == 1


async def test_a_bad_first_admin_is_a_configuration_error(app):
    with pytest.raises(ConfigurationError, match="FIRST_ADMIN"):
        await create_first_admin(app.state.db, "anna", "short")


def test_the_two_variables_go_together(database_url):
    from tests.conftest import make_settings

    with pytest.raises(ConfigurationError, match="go together"):
        make_settings(database_url, first_admin_name="anna")
