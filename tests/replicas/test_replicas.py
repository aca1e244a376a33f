"""Public reads from a real streaming replica (SPEC §22, ``DATABASE_REPLICA_URLS``): the
public list and a public order come from it, the viewer's own reads from the primary; a
replica that lags or is down is skipped, and used again once well."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from srochno.app import create_app
from srochno.db import Replicas, plain_url
from tests.conftest import make_settings
from tests.events.sse import open_stream
from tests.fakebotapi import FakeBotAPI
from tests.helpers import auth, create_order, recharge, take, until
from tests.replica import Replica, run_replica

REPLAYED_LOCKS = (
    "SELECT count(*) FROM pg_locks WHERE locktype = 'relation' AND mode = 'AccessExclusiveLock'"
)
"""On a standby, the table locks replay holds for the transactions it is applying."""


@pytest.fixture(scope="module")
def replica(database_url: str) -> Iterator[Replica]:
    with run_replica(database_url) as standby:
        yield standby


def replica_url(replica: Replica, database_url: str) -> str:
    database = make_url(database_url).database
    assert database is not None
    return replica.url(database)


@asynccontextmanager
async def on_replica(url: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(plain_url(url))
    try:
        yield conn
    finally:
        await conn.close()


@asynccontextmanager
async def app_with_replica(
    database_url: str, url: str, bot_api: FakeBotAPI, max_lag: float, **overrides: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Replicas]]:
    settings = make_settings(
        database_url,
        database_replica_urls=[url],
        replica_max_lag_seconds=max_lag,
        telegram_api_url=bot_api.url,
        **overrides,
    )
    application: FastAPI = create_app(settings, run_jobs=False)
    async with application.router.lifespan_context(application):
        replicas = application.state.db.replicas
        assert isinstance(replicas, Replicas)
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as c:
            yield c, replicas


async def listed(client: httpx.AsyncClient, **headers: str) -> set[str]:
    response = await client.get("/api/orders?limit=100", headers=headers)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


async def has_order(url: str, order_id: str) -> bool:
    async with on_replica(url) as conn:
        return bool(await conn.fetchval("SELECT count(*) FROM orders WHERE id = $1", order_id))


async def usable(replicas: Replicas, expected: bool) -> None:
    async def reached() -> bool:
        return replicas.usable[0] is expected

    await until(reached, f"replica usable = {expected}")


@asynccontextmanager
async def replay_paused(url: str) -> AsyncIterator[None]:
    """The standby receives the primary's changes but does not apply them.

    Replay is paused where it holds no table's lock: paused inside a replayed transaction
    that took one (the tests' reset between tests, a vacuum shortening a table), the
    standby's readers of that table would wait until replay resumes."""
    async with on_replica(url) as conn:

        async def paused() -> bool:
            state = await conn.fetchval("SELECT pg_get_wal_replay_pause_state()")
            return bool(state == "paused")

        async def paused_without_locks() -> bool:
            await conn.execute("SELECT pg_wal_replay_pause()")
            await until(paused, "replay paused")
            if not await conn.fetchval(REPLAYED_LOCKS):
                return True
            await conn.execute("SELECT pg_wal_replay_resume()")
            await asyncio.sleep(0.05)
            return False

        await until(paused_without_locks, "replay paused outside a locking transaction")
        try:
            yield
        finally:
            await conn.execute("SELECT pg_wal_replay_resume()")


async def test_public_reads_from_the_replica_own_reads_from_the_primary(
    replica: Replica, database_url: str, bot_api: FakeBotAPI
) -> None:
    url = replica_url(replica, database_url)
    async with app_with_replica(database_url, url, bot_api, max_lag=3600) as (client, replicas):
        await usable(replicas, True)
        seen = await create_order(client, 100)
        await until(lambda: has_order(url, seen["id"]), "the replica has the first order")
        await recharge(client, 200, 10)
        async with replay_paused(url):
            new = await create_order(client, 100)
            assert (await take(client, seen["id"], 200)).status_code == 200

            # The public list comes from the replica, which has not applied the new order.
            assert await listed(client) == {seen["id"]}
            assert await listed(client, **auth(300)) == {seen["id"]}
            # The executor's own take is read on the primary.
            response = await client.get("/api/orders", headers=auth(200))
            items = {item["id"]: item for item in response.json()["items"]}
            assert items[seen["id"]]["taken_by_me"] is True
            # The owner reads their new order (the primary); so does anybody with its link
            # (the replica has not got it: the primary answers).
            mine = await client.get(f"/api/orders/{new['id']}", headers=auth(100))
            assert mine.status_code == 200, mine.text
            assert mine.json()["contact"] == new["contact"]
            anybody = await client.get(f"/api/orders/{new['id']}")
            assert anybody.status_code == 200, anybody.text
            assert "contact" not in anybody.json() or anybody.json()["contact"] is None
            own = await client.get("/api/users/me/orders", headers=auth(100))
            assert {o["id"] for o in own.json()["items"]} == {seen["id"], new["id"]}
        await until(lambda: has_order(url, new["id"]), "the replica catches up")
        assert await listed(client) == {seen["id"], new["id"]}


async def test_a_lagging_replica_is_skipped_then_used_again(
    replica: Replica, database_url: str, bot_api: FakeBotAPI
) -> None:
    url = replica_url(replica, database_url)
    async with app_with_replica(database_url, url, bot_api, max_lag=1) as (client, replicas):
        await usable(replicas, True)
        async with replay_paused(url):
            new = await create_order(client, 100)
            await usable(replicas, False)  # its last applied change ages past a second
            assert await listed(client) == {new["id"]}  # from the primary
        await usable(replicas, True)
        assert await listed(client) == {new["id"]}


async def test_a_stopped_replica_is_skipped_and_a_restarted_one_used_again(
    replica: Replica, database_url: str, bot_api: FakeBotAPI
) -> None:
    url = replica_url(replica, database_url)
    async with app_with_replica(database_url, url, bot_api, max_lag=3600) as (client, replicas):
        await usable(replicas, True)
        replica.stop()
        try:
            await usable(replicas, False)
            while_down = await create_order(client, 100)
            assert await listed(client) == {while_down["id"]}  # from the primary
        finally:
            replica.start()
        await usable(replicas, True)
        await until(lambda: has_order(url, while_down["id"]), "the replica catches up")
        async with replay_paused(url):
            unseen = await create_order(client, 100)
            assert await listed(client) == {while_down["id"]}  # from the replica again
        await until(lambda: has_order(url, unseen["id"]), "the replica catches up")


async def test_a_replica_that_fails_a_request_is_skipped_at_once(
    replica: Replica, database_url: str, bot_api: FakeBotAPI
) -> None:
    """Between two measurements: the replica's connection refused, the request is answered
    from the primary all the same."""
    url = replica_url(replica, database_url)
    async with app_with_replica(database_url, url, bot_api, max_lag=3600) as (client, replicas):
        await usable(replicas, True)
        order = await create_order(client, 100)
        replica.stop()
        try:
            replicas.usable[0] = True  # as if the last measurement had not seen it go
            await replicas.pools[0].expire_connections()
            assert order["id"] in await listed(client)
        finally:
            replica.start()


async def test_a_replay_the_replica_lacks_is_read_on_the_primary(
    replica: Replica, database_url: str, bot_api: FakeBotAPI
) -> None:
    """A stream resuming after an id replays from the replica only if the replica has every
    event the listener had passed on; else from the primary: nothing is lost."""
    url = replica_url(replica, database_url)
    # The in-process client reads a stream's answer whole: the stream ends after a second.
    short = {"sse_max_seconds": 1}
    async with app_with_replica(database_url, url, bot_api, 3600, **short) as (client, replicas):
        await usable(replicas, True)
        async with replay_paused(url):
            new = await create_order(client, 100)
            hub = client._transport.app.state.hub  # type: ignore[attr-defined]

            async def dispatched() -> bool:
                return bool(hub.last_id) and hub.last_id >= 1

            await until(dispatched, "the listener has passed the new order's event on")
            async with open_stream(client, "/api/orders/stream?last_event_id=0") as stream:
                event = await stream.next_event()
                assert event.event == "order_created"
                assert event.json()["id"] == new["id"]
