"""No pooled connection is held while a payment provider is called: with a pool of two
connections, more slow provider calls than connections are under way at once, and the
rest of the API still answers meanwhile."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from srochno.app import create_app
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotAPI
from tests.fakeyookassa import FakeYooKassa
from tests.helpers import audit_clean, auth, scalar

SLOW_SECONDS = 3.0
CALLS = 4  # twice the pool
USERS = range(6301, 6301 + CALLS)


@pytest.fixture
async def small_pool_client(
    database_url: str, bot_api: FakeBotAPI, kassa: FakeYooKassa
) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(
        database_url, db_pool_size=1, telegram_api_url=bot_api.url, **kassa.settings()
    )
    app: FastAPI = create_app(settings, run_jobs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://srochno.test", timeout=30
        ) as client:
            assert app.state.db.pool.get_max_size() == 2
            yield client


async def in_flight(count_calls, count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while count_calls() < count:
        assert time.monotonic() < deadline, f"only {count_calls()} of {count} calls under way"
        await asyncio.sleep(0.02)


async def test_slow_stars_invoices_hold_no_connection(small_pool_client, bot_api, engine):
    client = small_pool_client
    for user in USERS:  # sign everyone in first
        assert (await client.get("/api/balance", headers=auth(user))).status_code == 200
    bot_api.delays["createInvoiceLink"] = SLOW_SECONDS
    invoices = [
        asyncio.create_task(
            client.post("/api/balance/invoices", json={"stars": 5}, headers=auth(user))
        )
        for user in USERS
    ]
    await in_flight(lambda: len(bot_api.calls_of("createInvoiceLink")), CALLS, SLOW_SECONDS - 0.5)
    balance = await client.get("/api/balance", headers=auth(USERS[0]))
    assert balance.status_code == 200
    assert not any(task.done() for task in invoices)
    assert [r.status_code for r in await asyncio.gather(*invoices)] == [201] * CALLS
    assert await scalar(engine, "SELECT count(*) FROM payments WHERE invoice_url IS NULL") == 0
    await audit_clean(engine)


async def test_slow_yookassa_holds_no_connection(small_pool_client, kassa, engine):
    client = small_pool_client
    for user in USERS:
        assert (await client.get("/api/balance", headers=auth(user))).status_code == 200
    kassa.delay = SLOW_SECONDS
    topups = [
        asyncio.create_task(
            client.post(
                "/api/balance/topups",
                json={"amount_rub": 100, "email": "slow@example.ru"},
                headers=auth(user),
            )
        )
        for user in USERS
    ]
    await in_flight(lambda: len(kassa.calls), CALLS, SLOW_SECONDS - 0.5)
    assert (await client.get("/api/balance", headers=auth(USERS[0]))).status_code == 200
    assert not any(task.done() for task in topups)
    assert [r.status_code for r in await asyncio.gather(*topups)] == [201] * CALLS
    await audit_clean(engine)


async def test_a_failed_invoice_link_leaves_no_payment(client, bot_api, engine):
    bot_api.fail("createInvoiceLink", status=400, description="Bad Request: nope")
    response = await client.post(
        "/api/balance/invoices", json={"stars": 5}, headers={**auth(6399), "Idempotency-Key": "f"}
    )
    assert response.status_code == 502
    assert await scalar(engine, "SELECT count(*) FROM payments") == 0
    bot_api.reset()
    again = await client.post(
        "/api/balance/invoices", json={"stars": 5}, headers={**auth(6399), "Idempotency-Key": "f"}
    )
    assert again.status_code == 201
