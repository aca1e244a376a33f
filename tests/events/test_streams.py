"""The live feed across real server processes on one database (SPEC §14)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import asyncpg
import httpx
import pytest

from srochno.auth import web
from srochno.config import Settings
from srochno.db import plain_url
from tests.events.sse import Event, Stream, open_stream
from tests.helpers import ORDER, auth, init_data
from tests.servers import ServerGroup, run_servers

MAX_SECONDS = 60
CONTACT = "+7 999 555-44-33"
SECRET_KEY = "streams-test-secret-key-0123456789abcdef"
LISTENERS = (
    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'srochno-listener' "
    "AND datname = current_database()"
)


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[ServerGroup]:
    env = {
        "SSE_MAX_SECONDS": str(MAX_SECONDS),
        "LOG_LEVEL": "INFO",  # access lines too
        "SECRET_KEY": SECRET_KEY,  # web sessions' token hashes, computed here too
    }
    with run_servers(database_url, 2, env=env) as group:
        yield group


@pytest.fixture
async def clients(servers: ServerGroup) -> AsyncIterator[list[httpx.AsyncClient]]:
    clients = servers.clients()
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()


@pytest.fixture
async def fresh(database_url: str) -> str:
    """``last_event_id=`` the newest event so far: a stream opened with it gets only what
    comes next (an event committed just before a stream opens may otherwise still reach
    it, which is right for a client, but not what these tests count)."""
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        newest = await conn.fetchval("SELECT coalesce(max(id), 0) FROM order_events")
    finally:
        await conn.close()
    return f"last_event_id={newest}"


async def post_order(client: httpx.AsyncClient, owner_id: int, **fields: Any) -> dict[str, Any]:
    body = {**ORDER, "contact": CONTACT, **fields}
    response = await client.post("/api/orders", json=body, headers=auth(owner_id))
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def next_of(stream: Stream, kind: str, **fields: Any) -> Event:
    """The next event of ``kind`` with these data fields (one committed just before the
    stream opened may still arrive first)."""
    while True:
        event = await stream.next_event()
        assert CONTACT not in event.data
        if event.event == kind and all(event.json().get(k) == v for k, v in fields.items()):
            return event


async def ids_of(stream: Stream, count: int, kind: str = "order_created") -> list[str]:
    ids = []
    while len(ids) < count:
        event = await stream.next_event()
        assert CONTACT not in event.data
        if event.event == kind:
            ids.append(event.json()["id"])
    return ids


async def test_an_order_created_through_b_reaches_a_stream_on_a_within_a_second(
    clients: list[httpx.AsyncClient], fresh: str
) -> None:
    a, b = clients
    async with open_stream(a, f"/api/orders/stream?{fresh}") as stream:
        started = time.monotonic()
        order = await post_order(b, 1)
        event = await stream.next_event()
        delay = time.monotonic() - started
    assert event.event == "order_created"
    assert event.id is not None
    assert event.id.isdigit()
    listed = event.json()
    assert listed["id"] == order["id"]
    assert listed["contact"] is None
    assert listed["contact_hidden"] is True
    assert CONTACT not in event.data
    assert listed["description"] == order["description"]
    assert listed["slots_left"] == order["max_executors"]
    # Pushed, not found by a later poll or reconnect; the SPEC's one second is measured by
    # the feed benchmark (bench/), not here on a shared machine.
    assert delay < 10


async def test_the_filters_pick_the_city_and_the_category(
    clients: list[httpx.AsyncClient], fresh: str
) -> None:
    a, b = clients
    city = httpx.QueryParams({"city": " казань ", "category": "cleaning"})  # any case, trimmed
    url = f"/api/orders/stream?{city}&{fresh}"
    async with (
        open_stream(a, url) as filtered,
        open_stream(a, f"/api/orders/stream?{fresh}") as everything,
    ):
        others = [
            await post_order(b, 1, city="Москва", category="cleaning"),
            await post_order(b, 1, city="Казань", category="courier"),
        ]
        wanted = await post_order(b, 1, city="Казань", category="cleaning")
        assert await ids_of(filtered, 1) == [wanted["id"]]  # the others came first, skipped
        assert await ids_of(everything, 3) == [o["id"] for o in [*others, wanted]]


async def test_takes_and_closes_reach_the_public_and_the_personal_streams(
    clients: list[httpx.AsyncClient],
) -> None:
    a, b = clients
    owner, executor = 11, 12
    assert (
        await b.post("/api/balance/recharge", json={"amount": 10}, headers=auth(executor))
    ).status_code == 200
    order = await post_order(b, owner)
    mine = f"/api/users/me/stream?{httpx.QueryParams({'tma': init_data(owner)})}"
    async with (
        open_stream(a, "/api/orders/stream") as public,
        open_stream(a, mine) as owners,
        open_stream(a, "/api/users/me/stream", headers=auth(executor)) as executors,
    ):
        taken = await b.post(f"/api/orders/{order['id']}/take", headers=auth(executor))
        assert taken.status_code == 200, taken.text
        updated = await next_of(public, "order_updated")
        assert updated.json() == {
            "id": order["id"],
            "status": "active",
            "executors_count": 1,
            "slots_left": order["max_executors"] - 1,
        }
        notice = await owners.next_event()
        assert notice.event == "order_taken"
        assert notice.json()["order_id"] == order["id"]
        assert CONTACT not in notice.data
        balance = await next_of(executors, "balance", type="order_take")
        assert balance.json()["balance"] == 10 - order["take_price"]
        assert balance.json()["amount"] == -order["take_price"]

        done = await b.post(
            f"/api/orders/{order['id']}/complete",
            json={"executor_id": executor},
            headers=auth(owner),
        )
        assert done.status_code == 200, done.text
        closed = await next_of(public, "order_closed")
        assert closed.json() == {"id": order["id"], "status": "completed"}


async def test_resuming_by_last_event_id_loses_nothing(
    clients: list[httpx.AsyncClient], fresh: str
) -> None:
    a, b = clients
    async with open_stream(a, f"/api/orders/stream?{fresh}") as stream:
        first = await post_order(b, 2)
        seen = await stream.next_event()
        assert seen.json()["id"] == first["id"]
    assert seen.id is not None
    missed = [(await post_order(b, 2))["id"] for _ in range(5)]
    async with open_stream(b, "/api/orders/stream", headers={"Last-Event-ID": seen.id}) as again:
        assert await ids_of(again, 5) == missed
        newer = await post_order(a, 2)  # live after the replay, once
        assert await ids_of(again, 1) == [newer["id"]]
    async with open_stream(a, f"/api/orders/stream?last_event_id={seen.id}") as by_query:
        assert await ids_of(by_query, 6) == [*missed, newer["id"]]


async def test_a_killed_listener_connection_loses_nothing(
    clients: list[httpx.AsyncClient], database_url: str
) -> None:
    a, b = clients
    admin = await asyncpg.connect(plain_url(database_url))
    try:
        async with (
            open_stream(a, "/api/orders/stream") as on_a,
            open_stream(b, "/api/orders/stream") as on_b,
        ):
            before = [(await post_order(b, 3))["id"] for _ in range(2)]
            listeners = await admin.fetchval(LISTENERS)
            assert listeners >= 2  # one per server process (and this test process's app)
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'srochno-listener' AND datname = current_database()"
            )
            assert killed == listeners
            during = [(await post_order(c, 3))["id"] for c in (a, b, a, b)]
            await asyncio.sleep(0.5)
            after = [(await post_order(a, 3))["id"] for _ in range(2)]
            expected = before + during + after
            assert await ids_of(on_a, len(expected)) == expected
            assert await ids_of(on_b, len(expected)) == expected
        assert await admin.fetchval(LISTENERS) == listeners  # each reconnected
    finally:
        await admin.close()


async def test_a_rolled_back_change_emits_nothing(
    clients: list[httpx.AsyncClient], database_url: str
) -> None:
    a, b = clients
    await post_order(b, 4)  # the owner exists
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        seen = await conn.fetchval("SELECT max(id) FROM order_events")
        async with open_stream(a, f"/api/orders/stream?last_event_id={seen}") as stream:
            transaction = conn.transaction()
            await transaction.start()
            await conn.execute(
                "INSERT INTO orders (id, owner_id, category, description, city, city_key, "
                "contact, status, max_executors, take_price, created_at, updated_at, expires_at) "
                "VALUES ('rolledback01', 4, 'courier', 'never committed', 'Москва', 'москва', "
                "'x', 'active', 3, 2, now(), now(), now() + interval '1 hour')"
            )
            await transaction.rollback()
            committed = await post_order(b, 4)
            assert await ids_of(stream, 1) == [committed["id"]]
        assert not await conn.fetchval(
            "SELECT count(*) FROM order_events WHERE order_id = 'rolledback01'"
        )
    finally:
        await conn.close()


async def test_the_access_log_never_prints_the_tma_parameter(
    servers: ServerGroup, clients: list[httpx.AsyncClient]
) -> None:
    a, _ = clients
    secret = init_data(21)
    query = httpx.QueryParams({"tma": secret})
    async with open_stream(a, f"/api/users/me/stream?{query}"):
        pass
    response = await a.get(f"/api/users/me?{query}")  # an ordinary route, same parameter
    assert response.status_code == 401
    signature = secret.rsplit("hash=", 1)[-1]
    logs = servers.servers[0].log_tail(limit=10**7)
    assert "GET /api/users/me/stream 200" in logs  # access lines are written
    for server in servers.servers:
        assert signature not in server.log_tail(limit=10**7)


async def test_a_stream_needs_a_valid_user(clients: list[httpx.AsyncClient]) -> None:
    a, _ = clients
    assert (await a.get("/api/users/me/stream")).status_code == 401
    assert (await a.get("/api/users/me/stream?tma=nonsense")).status_code == 401


def test_streams_end_after_sse_max_seconds_with_retry(database_url: str) -> None:
    with (
        run_servers(database_url, 1, env={"SSE_MAX_SECONDS": "2", "LOG_LEVEL": "INFO"}) as group,
        httpx.Client(base_url=group.urls[0], timeout=30, trust_env=False) as client,
    ):
        started = time.monotonic()
        with client.stream("GET", "/api/orders/stream") as response:
            body = response.read().decode()
        elapsed = time.monotonic() - started
        assert body.startswith(": connected\n\n")
        assert body.endswith("retry: 3000\n\n")
        assert 2 <= elapsed < 10


async def test_my_stream_accepts_the_web_session(
    clients: list[httpx.AsyncClient], database_url: str
) -> None:
    """Like every authenticated route, the private feed takes a web session's cookie."""
    a, _ = clients
    token = web.new_token()
    token_hash = web.token_hash(Settings(secret_key=SECRET_KEY), token)
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        user = await conn.fetchval(
            "INSERT INTO users (id, email, language_code, created_at, updated_at) "
            "VALUES (nextval('web_user_ids'), 'stream@example.com', 'ru', now(), now()) "
            "RETURNING id"
        )
        await conn.execute(
            "INSERT INTO web_sessions (token_hash, user_id, created_at, expires_at) "
            "VALUES ($1, $2, now(), now() + interval '1 day')",
            token_hash,
            user,
        )
    finally:
        await conn.close()
    assert (await a.get("/api/users/me/stream")).status_code == 401
    cookie = {"Cookie": f"{web.SESSION_COOKIE}={token}"}
    async with open_stream(a, "/api/users/me/stream", headers=cookie):
        pass
