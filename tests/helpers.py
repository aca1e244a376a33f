"""Small helpers the tests share: signed initData, users with money, orders."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno import clock
from srochno.auth.telegram import sign_init_data

TEST_BOT_TOKEN = "7000000001:TEST-srochno-token-for-the-test-suite-0001"

ORDER = {
    "category": "plumbing",
    "description": "Прорвало трубу под раковиной, нужен сантехник срочно",
    "city": "Москва",
    "contact": "+7 999 123-45-67",
}


def init_data(
    user_id: int, *, token: str = TEST_BOT_TOKEN, auth_date: int | None = None, **profile: Any
) -> str:
    user = {"id": user_id, "first_name": profile.pop("first_name", f"User{user_id}"), **profile}
    fields = {
        "query_id": f"AAQ{user_id}",
        "user": json.dumps(user, ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(auth_date if auth_date is not None else int(clock.now().timestamp())),
    }
    return sign_init_data(fields, token)


def auth(user_id: int, **profile: Any) -> dict[str, str]:
    return {"Authorization": f"tma {init_data(user_id, **profile)}"}


async def recharge(client: httpx.AsyncClient, user_id: int, amount: int) -> int:
    response = await client.post(
        "/api/balance/recharge", json={"amount": amount}, headers=auth(user_id)
    )
    assert response.status_code == 200, response.text
    balance: int = response.json()["balance"]
    return balance


async def create_order(client: httpx.AsyncClient, owner_id: int, **fields: Any) -> dict[str, Any]:
    response = await client.post("/api/orders", json={**ORDER, **fields}, headers=auth(owner_id))
    assert response.status_code == 201, response.text
    order: dict[str, Any] = response.json()
    return order


async def take(
    client: httpx.AsyncClient, order_id: str, user_id: int, **headers: str
) -> httpx.Response:
    return await client.post(f"/api/orders/{order_id}/take", headers={**auth(user_id), **headers})


async def audit_clean(engine: AsyncEngine, max_executors: int = 3) -> None:
    from srochno.ledger.audit import audit

    async with engine.connect() as connection:
        result = await audit(connection, max_executors)
    assert result.ok, result.violations


async def scalar(engine: AsyncEngine, sql: str, **params: Any) -> Any:
    async with engine.connect() as connection:
        return (await connection.execute(text(sql), params)).scalar()


def unix_now() -> int:
    return int(time.time())


async def until(condition: Callable[[], Awaitable[bool]], what: str, seconds: float = 60.0) -> None:
    """Wait on ``condition`` (checked every few milliseconds), failing after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not await condition():
        assert time.monotonic() < deadline, f"not reached in time: {what}"
        await asyncio.sleep(0.05)
