"""Requests, streams, the queue and the limits through a real PgBouncer in transaction mode
(SPEC §22, connection roles): ``DATABASE_URL`` is the pooler with ``DATABASE_POOLER=
transaction``; LISTEN, the worker's election and the queue's listener use
``DATABASE_DIRECT_URL``."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno.app import create_app
from srochno.db import plain_url
from tests.concurrency.test_take_races import (
    race_many_executors_one_order,
    race_one_balance_many_orders,
    race_one_key_two_orders,
    race_same_take_repeated,
)
from tests.conftest import make_settings
from tests.events.sse import open_stream
from tests.events.test_streams import next_of, post_order
from tests.fakebotapi import FakeBotAPI
from tests.helpers import ORDER, auth, recharge, take
from tests.notifications.conftest import add_user, drained
from tests.notifications.test_worker import locks
from tests.ratelimit.test_limits import assert_limited
from tests.servers import ServerGroup, run_servers

RACE_POOL_SIZE = 20
"""Up to 40 client connections to PgBouncer, which serves them with a few server ones."""
REQUEST_TIMEOUT_SECONDS = 60.0


def pooled(database_url: str, pgbouncer_url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "database_url": pgbouncer_url,
        "database_direct_url": database_url,
        "database_pooler": "transaction",
        # Statements queue in PgBouncer for one of its few server connections: on a loaded
        # machine a burst waits there longer than the production default allows.
        "db_command_timeout_seconds": 60,
        **overrides,
    }


@pytest.fixture
def pooled_app_with(
    database_url: str, pgbouncer_url: str, fake_bot_api: FakeBotAPI
) -> Callable[..., Any]:
    """``async with pooled_app_with(**settings) as client``: an application whose requests
    go through PgBouncer."""
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def make(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        values = pooled(database_url, pgbouncer_url, telegram_api_url=fake_bot_api.url)
        settings = make_settings(**{**values, **overrides})
        application: FastAPI = create_app(settings, run_jobs=False)
        async with application.router.lifespan_context(application):
            transport = httpx.ASGITransport(app=application)
            async with httpx.AsyncClient(
                transport=transport,
                base_url="http://srochno.test",
                timeout=REQUEST_TIMEOUT_SECONDS,
            ) as client:
                yield client

    return make


RACES: dict[str, Callable[[list[httpx.AsyncClient], AsyncEngine], Awaitable[None]]] = {
    "forty executors, one order": race_many_executors_one_order,
    "one balance, ten orders": race_one_balance_many_orders,
    "one take twenty times": race_same_take_repeated,
    "one key, two orders": race_one_key_two_orders,
}


@pytest.mark.parametrize("race", list(RACES))
async def test_takes_race_through_pgbouncer(
    race: str, pooled_app_with: Callable[..., Any], engine: AsyncEngine
) -> None:
    async with pooled_app_with(db_pool_size=RACE_POOL_SIZE) as client:
        await RACES[race]([client], engine)


async def test_what_the_setting_is_for(pgbouncer_url: str) -> None:
    """asyncpg's named statements do not survive a transaction pooler: one prepared on one
    server connection is run again on another (the 500 ``InvalidSQLStatementNameError``
    of requests through PgBouncer before ``DATABASE_POOLER=transaction``)."""
    query = "SELECT count(*) FROM orders WHERE owner_id = $1"

    async def twice(**options: Any) -> None:
        first = await asyncpg.connect(plain_url(pgbouncer_url), **options)
        other = await asyncpg.connect(plain_url(pgbouncer_url))
        try:
            await first.fetchval(query, 1)  # prepared on the one server connection in use
            async with other.transaction():  # which is now another client's
                await other.fetchval("SELECT 1")
                await first.fetchval(query, 2)  # on a second server connection
        finally:
            await first.close()
            await other.close()

    with pytest.raises(asyncpg.InvalidSQLStatementNameError):
        await twice()
    await twice(statement_cache_size=0)


async def test_limits_through_pgbouncer(
    pooled_app_with: Callable[..., Any], engine: AsyncEngine
) -> None:
    async with pooled_app_with(rate_create_per_hour=2, rate_limits=True) as client:
        for _ in range(2):
            response = await client.post("/api/orders", json=ORDER, headers=auth(5))
            assert response.status_code == 201, response.text
        assert_limited(await client.post("/api/orders", json=ORDER, headers=auth(5)), 3600)
        assert (await client.post("/api/orders", json=ORDER, headers=auth(6))).status_code == 201


# --- real server processes: streams and the queue ---------------------------------------


@pytest.fixture(scope="module")
def pooled_servers(
    database_url: str, pgbouncer_url: str, fake_bot_api: FakeBotAPI
) -> Iterator[ServerGroup]:
    env = {
        "DATABASE_DIRECT_URL": database_url,
        "DATABASE_POOLER": "transaction",
        "TELEGRAM_API_URL": fake_bot_api.url,
        "DB_POOL_SIZE": "4",
    }
    with run_servers(pgbouncer_url, 2, env=env) as group:
        yield group


@pytest.fixture
async def pooled_clients(pooled_servers: ServerGroup) -> AsyncIterator[list[httpx.AsyncClient]]:
    clients = pooled_servers.clients(max_connections=8)
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


async def test_streams_through_pgbouncer(
    pooled_clients: list[httpx.AsyncClient], bot_api: FakeBotAPI
) -> None:
    a, b = pooled_clients
    async with (
        open_stream(a, "/api/orders/stream") as public,
        open_stream(a, "/api/users/me/stream", headers=auth(100)) as mine,
    ):
        order = await post_order(b, 100)
        await next_of(public, "order_created", id=order["id"])
        await recharge(b, 200, 10)
        response = await take(b, order["id"], 200)
        assert response.status_code == 200, response.text
        await next_of(public, "order_updated", id=order["id"])
        await next_of(mine, "order_taken")


async def test_the_queue_through_pgbouncer(
    pooled_clients: list[httpx.AsyncClient], engine: AsyncEngine, bot_api: FakeBotAPI
) -> None:
    """The worker (one over both servers, elected by a session lock on a direct connection)
    fans a new order out and sends the message; its jobs' statements go through PgBouncer."""
    await add_user(engine, 1)
    a, _ = pooled_clients
    response = await a.post("/api/orders", json=ORDER, headers=auth(100))
    assert response.status_code == 201, response.text
    await bot_api.until("sendMessage", 1, within=120)
    await drained(engine)
    assert await locks(engine) == 1


async def test_the_admin_engine_through_pgbouncer(pgbouncer_url: str) -> None:
    """SQLAlchemy prepares named statements; behind the pooler they are uniquely named and
    never cached, so sessions interleaved over PgBouncer's few server connections work."""
    import asyncio

    from sqlalchemy import text

    from srochno.db import create_engine

    engine = create_engine(pgbouncer_url, pool_size=10, pooler="transaction")
    try:

        async def session(i: int) -> int:
            total = 0
            for _ in range(3):
                async with engine.connect() as conn:
                    query = text("SELECT count(*) + :i FROM orders WHERE owner_id = :i")
                    total += (await conn.execute(query, {"i": i})).scalar_one()
            return total

        assert await asyncio.gather(*(session(i) for i in range(30))) == [3 * i for i in range(30)]
    finally:
        await engine.dispose()
