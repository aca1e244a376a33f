"""Event ids grow in commit order: a reader asking for "after the last id I saw" never
skips an event, even when transactions commit in another order than they wrote."""

from __future__ import annotations

import asyncio
import random

import asyncpg
import httpx

from srochno.db import plain_url
from tests.helpers import auth

INSERT_ORDER = (
    "INSERT INTO orders (id, owner_id, category, description, city, city_key, contact, "
    "status, max_executors, take_price, created_at, updated_at, expires_at) "
    "VALUES ($1, $2, 'courier', 'an order', 'Москва', 'москва', 'x', 'active', 3, 2, "
    "now(), now(), now() + interval '1 hour')"
)
EVENT_OF = "SELECT id FROM order_events WHERE order_id = $1 AND kind = 'order_created'"


async def owner(client: httpx.AsyncClient) -> int:
    assert (await client.get("/api/users/me", headers=auth(77))).status_code == 200
    return 77


async def test_the_transaction_that_commits_last_gets_the_larger_id(
    client: httpx.AsyncClient, database_url: str
) -> None:
    user = await owner(client)
    url = plain_url(database_url)
    early, late = await asyncpg.connect(url), await asyncpg.connect(url)
    try:
        first = early.transaction()
        await first.start()
        await early.execute(INSERT_ORDER, "writes-1st", user)  # draws its id first
        await late.execute(INSERT_ORDER, "commits-1st", user)  # its own transaction
        await first.commit()
        assert await late.fetchval(EVENT_OF, "commits-1st") < await late.fetchval(
            EVENT_OF, "writes-1st"
        )
    finally:
        await early.close()
        await late.close()


async def test_a_reader_after_the_last_id_misses_no_event_of_racing_writers(
    client: httpx.AsyncClient, database_url: str
) -> None:
    user = await owner(client)
    url = plain_url(database_url)
    writers = [await asyncpg.connect(url) for _ in range(8)]
    reader = await asyncpg.connect(url)
    written: list[str] = []
    seen: list[str] = []
    done = asyncio.Event()
    rng = random.Random(12)

    async def write(conn: asyncpg.Connection, index: int) -> None:
        for n in range(15):
            order_id = f"r{index}-{n}"
            async with conn.transaction():
                await conn.execute(INSERT_ORDER, order_id, user)
                await asyncio.sleep(rng.random() * 0.01)  # commit at a random moment
            written.append(order_id)

    async def read() -> None:
        last = 0
        while True:
            finished = done.is_set()
            rows = await reader.fetch(
                "SELECT id, order_id FROM order_events WHERE id > $1 ORDER BY id", last
            )
            for row in rows:
                assert row["id"] > last
                last = row["id"]
                seen.append(row["order_id"])
            if finished:
                return
            await asyncio.sleep(0.001)

    try:
        reading = asyncio.create_task(read())
        await asyncio.gather(*(write(conn, i) for i, conn in enumerate(writers)))
        done.set()
        await reading
    finally:
        for conn in [*writers, reader]:
            await conn.close()
    assert sorted(seen) == sorted(written)
    assert len(seen) == 8 * 15
