"""PostgreSQL refuses new connections ("too many connections", SQLSTATE 53300): for the
service that is the database being unavailable, a 503, never a 500; and it recovers by
itself once connections are accepted again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from srochno.app import create_app
from tests.conftest import make_settings
from tests.faults.support import UNAVAILABLE
from tests.helpers import ORDER, auth, recharge

USER = 8601


@pytest.fixture
async def limited_role(database_url, engine) -> AsyncIterator[tuple[str, str]]:
    """A login role with every right on the tables, and the database URL that uses it."""
    role = f"srochno_limited_{uuid.uuid4().hex[:10]}"
    async with engine.begin() as connection:
        await connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        await connection.execute(
            text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        )
        await connection.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}"))
    url = make_url(database_url).set(username=role).render_as_string(hide_password=False)
    try:
        yield role, url
    finally:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :role"
                ),
                {"role": role},
            )
            await connection.execute(text(f"DROP OWNED BY {role}"))
            await connection.execute(text(f"DROP ROLE {role}"))


async def set_limit(engine, role: str, limit: int) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(f"ALTER ROLE {role} CONNECTION LIMIT {limit}"))


async def test_connection_limit_reached_is_503_and_recovers(limited_role, engine):
    role, url = limited_role
    app = create_app(make_settings(url), run_jobs=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://srochno.test"
        ) as client,
    ):
        await set_limit(engine, role, 0)  # every new connection of the role is refused
        health = await client.get("/health")
        assert (health.status_code, health.json()) == (503, {"status": "unhealthy"})
        for method, path, kwargs in [
            ("GET", "/api/orders", {}),
            ("GET", "/api/users/me", {"headers": auth(USER)}),
            ("POST", "/api/orders", {"headers": auth(USER), "json": ORDER}),
            ("POST", "/api/balance/recharge", {"headers": auth(USER), "json": {"amount": 5}}),
        ]:
            response = await client.request(method, path, **kwargs)
            assert (response.status_code, response.json()) == (503, UNAVAILABLE), path

        await set_limit(engine, role, -1)
        health = await client.get("/health")
        assert (health.status_code, health.json()) == (200, {"status": "healthy"})
        assert await recharge(client, USER, 5) == 5
