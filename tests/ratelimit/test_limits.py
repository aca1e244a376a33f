"""Rate limits and the active-orders quota, in process, on both stores (SPEC §15)."""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno import clock
from srochno.app import create_app
from tests.conftest import make_settings
from tests.helpers import ORDER, auth, recharge

REDIS_URL = "redis://127.0.0.1:6379/0"

Client = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def limited(database_url: str) -> Client:
    """``async with limited(rate_ip_per_minute=3, ip="10.0.0.1") as client``: an app of its
    own with these settings, called from that client address."""

    @asynccontextmanager
    async def open_client(
        ip: str = "127.0.0.1", **overrides: Any
    ) -> AsyncIterator[httpx.AsyncClient]:
        app: FastAPI = create_app(make_settings(database_url, **overrides), run_jobs=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=(ip, 40000))
            async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as c:
                yield c

    return open_client


def away_from_the_window_end(seconds: int) -> None:
    """Move the clock past a window's end if it is near: the counts below must fall in
    one window."""
    now = time.time() + clock.offset_seconds()
    left = seconds - now % seconds
    if left < 20:
        clock.advance(timedelta(seconds=left + 0.5))


def expected_retry_after(seconds: int) -> int:
    now = time.time() + clock.offset_seconds()
    return math.ceil(seconds - now % seconds)


def random_ip() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def assert_limited(response: httpx.Response, window: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "rate_limited"
    assert response.headers["X-Request-ID"]  # refused at the edge or later, still named
    retry_after = int(response.headers["Retry-After"])
    assert abs(retry_after - expected_retry_after(window)) <= 1
    assert 1 <= retry_after <= window


async def test_per_ip_n_allowed_then_429_until_the_window_resets(limited: Client) -> None:
    away_from_the_window_end(60)
    async with (
        limited(rate_ip_per_minute=5) as client,
        limited(rate_ip_per_minute=5, ip="198.51.100.9") as other,
    ):
        for _ in range(5):
            assert (await client.get("/api/orders")).status_code == 200
        assert_limited(await client.get("/api/orders"), 60)
        assert_limited(await client.get("/api/users/me", headers=auth(1)), 60)  # every route
        assert (await other.get("/api/orders")).status_code == 200  # another address
        clock.advance(timedelta(seconds=expected_retry_after(60)))
        assert (await client.get("/api/orders")).status_code == 200  # a new window


async def test_routes_without_the_database_are_limited_too(limited: Client) -> None:
    away_from_the_window_end(60)
    async with limited(rate_ip_per_minute=2) as client:
        assert (await client.get("/api/categories")).status_code == 200
        assert (await client.get("/app/")).status_code == 200
        assert_limited(await client.get("/app/"), 60)


async def test_creates_are_limited_per_user(limited: Client, engine: AsyncEngine) -> None:
    away_from_the_window_end(3600)
    async with limited(rate_create_per_hour=2) as client:
        for _ in range(2):
            response = await client.post("/api/orders", json=ORDER, headers=auth(5))
            assert response.status_code == 201, response.text
        assert_limited(await client.post("/api/orders", json=ORDER, headers=auth(5)), 3600)
        assert (await client.post("/api/orders", json=ORDER, headers=auth(6))).status_code == 201
        assert (await client.get("/api/orders", headers=auth(5))).status_code == 200
    async with engine.connect() as conn:
        counts = await conn.execute(text("SELECT owner_id, count(*) FROM orders GROUP BY 1"))
        assert dict(counts.all()) == {5: 2, 6: 1}  # the refused create wrote nothing


async def test_a_web_account_is_held_to_the_same_per_user_limits(
    limited: Client, engine: AsyncEngine, database_url: str
) -> None:
    """A web account (a cookie session, no Telegram) is counted per account like a Telegram
    user."""
    from tests.notifications.test_email import session_cookie, web_account

    away_from_the_window_end(3600)
    settings = make_settings(database_url)
    user = await web_account(engine, "limits@example.com")
    other = await web_account(engine, "other-limits@example.com")
    headers = await session_cookie(engine, settings, user)
    other_headers = await session_cookie(engine, settings, other)
    async with limited(rate_create_per_hour=2) as client:
        for _ in range(2):
            response = await client.post("/api/orders", json=ORDER, headers=headers)
            assert response.status_code == 201, response.text
        assert_limited(await client.post("/api/orders", json=ORDER, headers=headers), 3600)
        response = await client.post("/api/orders", json=ORDER, headers=other_headers)
        assert response.status_code == 201, response.text


async def test_takes_are_limited_per_user(limited: Client) -> None:
    away_from_the_window_end(60)
    async with limited(rate_take_per_minute=1) as client:
        await recharge(client, 8, 10)
        orders = [
            (await client.post("/api/orders", json=ORDER, headers=auth(7))).json()["id"]
            for _ in range(2)
        ]
        first = await client.post(f"/api/orders/{orders[0]}/take", headers=auth(8))
        assert first.status_code == 200, first.text
        assert_limited(await client.post(f"/api/orders/{orders[1]}/take", headers=auth(8)), 60)
        balance = (await client.get("/api/users/me", headers=auth(8))).json()["balance"]
        assert balance == 10 - first.json()["take"]["price_paid"]  # the refused take paid nothing


async def test_a_failing_store_lets_requests_through_with_a_warning(
    limited: Client, engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("ALTER TABLE rate_limit_windows RENAME TO rate_limit_cut"))
    try:
        with caplog.at_level(logging.WARNING, logger="srochno.ratelimit"):
            async with limited(rate_ip_per_minute=1) as client:
                for _ in range(4):
                    assert (await client.get("/api/orders")).status_code == 200
                    assert (await client.get("/app/")).status_code == 200
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("ALTER TABLE rate_limit_cut RENAME TO rate_limit_windows"))
    assert "rate limit store failed" in caplog.text


async def test_the_redis_store_counts_and_refuses(limited: Client) -> None:
    ip = random_ip()  # a bucket of this test alone, whatever else uses this Redis
    async with limited(rate_ip_per_minute=3, redis_url=REDIS_URL, ip=ip) as client:
        statuses = [(await client.get("/api/orders")).status_code for _ in range(4)]
        refused = await client.get("/api/orders")
    if statuses[:3] != [200, 200, 200]:  # a Redis window (real time) ended in between
        pytest.skip("the Redis window turned during the test")
    assert statuses[3] == 429
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


async def test_a_failing_redis_lets_requests_through_with_a_warning(
    limited: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="srochno.ratelimit"):
        async with limited(rate_ip_per_minute=1, redis_url="redis://127.0.0.1:9/0") as client:
            for _ in range(3):
                assert (await client.get("/api/orders")).status_code == 200
    assert "rate limit store failed" in caplog.text


async def test_limits_can_be_switched_off(limited: Client) -> None:
    async with limited(rate_ip_per_minute=1, rate_limits=False) as client:
        for _ in range(3):
            assert (await client.get("/api/orders")).status_code == 200


async def test_the_shared_address_warning_names_the_setting(
    limited: Client, caplog: pytest.LogCaptureFixture
) -> None:
    away_from_the_window_end(60)
    with caplog.at_level(logging.WARNING, logger="srochno.ratelimit"):
        async with limited(rate_ip_per_minute=1, ip="127.0.0.1") as client:
            await client.get("/api/orders")
            assert (await client.get("/api/orders")).status_code == 429
    assert "FORWARDED_ALLOW_IPS" in caplog.text


async def test_active_orders_are_capped_per_client_under_concurrency(
    limited: Client, engine: AsyncEngine
) -> None:
    async with limited(max_active_orders_per_client=3) as client:
        await client.get("/api/users/me", headers=auth(9))  # the user exists
        responses = await asyncio.gather(
            *(client.post("/api/orders", json=ORDER, headers=auth(9)) for _ in range(10))
        )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] * 3 + [409] * 7
        refused = next(r for r in responses if r.status_code == 409)
        assert refused.json()["code"] == "too_many_active_orders"
        assert (await client.post("/api/orders", json=ORDER, headers=auth(10))).status_code == 201
        mine = next(r.json()["id"] for r in responses if r.status_code == 201)
        assert (await client.delete(f"/api/orders/{mine}", headers=auth(9))).status_code == 204
        assert (await client.post("/api/orders", json=ORDER, headers=auth(9))).status_code == 201
    async with engine.connect() as conn:
        active = await conn.scalar(
            text("SELECT count(*) FROM orders WHERE owner_id = 9 AND status = 'active'")
        )
    assert active == 3
