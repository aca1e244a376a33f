"""The admin dashboard in a real browser: sign in, the charts drawn from the package's own
Chart.js, nothing loaded from outside the service, no error on the page."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from srochno.db import plain_url
from srochno.enums import AdminRole
from srochno.staff.service import create_operator
from tests.e2e.conftest import ARTIFACTS, EXTERNAL, TIMEOUT_MS
from tests.helpers import ORDER, auth

PASSWORD = "dashboard password"
CHARTS = ("chart-orders", "chart-money", "chart-executors", "chart-quality")


async def some_history(server: str, database_url: str) -> None:
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        async with conn.transaction():
            await create_operator(conn, "viewer", AdminRole.moderator, PASSWORD, reset=True)
    finally:
        await conn.close()
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as client:
        for n in range(3):
            created = await client.post("/api/orders", json=ORDER, headers=auth(7100 + n))
            assert created.status_code == 201, created.text
            executor = 7200 + n
            await client.post("/api/balance/recharge", json={"amount": 10}, headers=auth(executor))
            taken = await client.post(
                f"/api/orders/{created.json()['id']}/take", headers=auth(executor)
            )
            assert taken.status_code == 200, taken.text


async def test_the_dashboard_draws_its_charts(browser: Any, server: str, database_url: str):
    await some_history(server, database_url)
    context = await browser.new_context(viewport={"width": 1440, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    outside: list[str] = []

    async def refuse(route: Any) -> None:
        outside.append(route.request.url)
        await route.abort()

    await context.route(EXTERNAL, refuse)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    try:
        await page.goto(f"{server}/admin/login")
        await page.fill("input[name=username]", "viewer")
        await page.fill("input[name=password]", PASSWORD)
        await page.click("button[type=submit]")
        await page.locator("#chart-quality").wait_for()
        await page.wait_for_function("() => window.Chart && Chart.getChart('chart-quality')")
        drawn = await page.evaluate(
            "(ids) => ids.map((id) => Boolean(window.Chart && Chart.getChart(id)))", list(CHARTS)
        )
        assert drawn == [True] * len(CHARTS)
        created = await page.evaluate(
            "Chart.getChart('chart-orders').data.datasets[0].data.slice(-1)[0]"
        )
        assert created >= 3
        ARTIFACTS.mkdir(exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "admin-dashboard.png"), full_page=True)
    finally:
        await context.close()
    assert outside == []
    assert errors == []
