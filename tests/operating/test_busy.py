"""Every database connection of a process in use (a flood): whatever a request is, if it
gets no connection within ``DB_POOL_TIMEOUT_SECONDS`` it is answered 503 ``service_busy``
with ``Retry-After`` (the admin's sign-in: its form again, saying so), never a 500; and the
service answers as usual once connections come free."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from srochno.app import create_app
from srochno.enums import AdminRole
from srochno.staff.service import create_operator
from srochno.state import app_engine
from tests.admin.conftest import PASSWORD, AdminBrowser
from tests.conftest import make_settings
from tests.helpers import ORDER, auth

BUSY = {"detail": "The service is busy, try again in a few seconds", "code": "service_busy"}
FLOOD = 40


@pytest.fixture
async def small_app(database_url: str) -> AsyncIterator[FastAPI]:
    """The service with the smallest pools and a short wait for a connection."""
    settings = make_settings(database_url, db_pool_size=1, db_pool_timeout_seconds=0.3)
    app = create_app(settings, run_jobs=False)
    async with app.router.lifespan_context(app):
        async with app.state.db.transaction() as conn:
            await create_operator(conn, "boss", AdminRole.admin, PASSWORD)
        yield app


@contextlib.asynccontextmanager
async def every_connection_held(app: FastAPI) -> AsyncIterator[None]:
    """Both pools of the process (the requests' and the admin lists') used up."""
    db = app.state.db
    held: list[Any] = [await db.acquire() for _ in range(db.pool.get_max_size())]
    engine = app_engine(app)
    lists = [await engine.connect() for _ in range(engine.pool.size())]
    try:
        yield
    finally:
        for conn in held:
            await db.release(conn)
        for connection in lists:
            await connection.close()


@contextlib.asynccontextmanager
async def browser_of(app: FastAPI, address: str = "127.0.0.1") -> AsyncIterator[AdminBrowser]:
    transport = httpx.ASGITransport(app=app, client=(address, 443))
    async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as client:
        yield AdminBrowser(client)


def assert_busy(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text[:300]
    assert response.headers["retry-after"] == "2"
    if response.headers["content-type"].startswith("application/json"):
        assert response.json() == BUSY
    else:  # the sign-in form, again, with the reason
        assert BUSY["detail"] in response.text


async def test_a_request_that_gets_no_connection_in_time_is_503_service_busy(small_app):
    async with browser_of(small_app) as signed_in, browser_of(small_app) as signing_in:
        assert (await signed_in.login("boss")).status_code == 303
        form = await signing_in.client.get("/admin/login")  # no database needed for it
        csrf = re.search(r'name="csrftoken" value="([^"]+)"', form.text)
        assert csrf
        client = signed_in.client
        async with every_connection_held(small_app):
            requests = [
                client.get("/api/orders"),
                client.get("/api/users/me", headers=auth(5001)),
                client.post("/api/orders", json=ORDER, headers=auth(5001)),
                client.get("/api/balance", headers=auth(5001)),
                client.get("/api/reviews", params={"user_id": 5001}),
                client.get("/admin/"),  # the operator's session is checked in a middleware
                client.get("/admin/api/stats"),
                client.get("/admin/users/list"),  # the admin's list views: their own pool
                client.get("/admin/api/users"),
                signing_in.client.post(
                    "/admin/login",
                    data={"username": "boss", "password": PASSWORD, "csrftoken": csrf.group(1)},
                ),
            ]
            for response in [await request for request in requests]:
                assert_busy(response)
        # Connections free again: everything answers as usual.
        assert (await client.get("/api/users/me", headers=auth(5001))).status_code == 200
        assert (await client.get("/admin/")).status_code == 200
        assert (await client.get("/admin/users/list")).status_code == 200
        assert (await signing_in.login("boss")).status_code == 303


async def test_a_flood_of_sign_ins_is_never_a_500(small_app):
    """Sign-ins at once from many addresses: a first wave while both connections are in
    use, a second once they came free, racing for the two. Each is answered — signed in,
    refused, or 503 ``service_busy`` — and none is a 500."""

    def login(i: int, b: AdminBrowser) -> asyncio.Task[httpx.Response]:
        return asyncio.create_task(b.login("boss", PASSWORD if i % 4 == 0 else "wrong guess"))

    async with contextlib.AsyncExitStack() as stack:
        browsers = [
            await stack.enter_async_context(browser_of(small_app, f"198.51.100.{i + 1}"))
            for i in range(FLOOD)
        ]
        half = FLOOD // 2
        async with every_connection_held(small_app):
            first = await asyncio.gather(*(login(i, b) for i, b in enumerate(browsers[:half])))
        second = await asyncio.gather(*(login(i, b) for i, b in enumerate(browsers[half:])))
    for answer in first:
        assert_busy(answer)
    statuses = {answer.status_code for answer in second}
    assert statuses <= {303, 400, 503}, statuses
    assert statuses & {303, 400}
    for answer in second:
        if answer.status_code == 503:
            assert_busy(answer)
