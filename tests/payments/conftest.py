"""Fixtures of the top-up tests: the fake YooKassa, the service pointed at it, and
clients that reach the webhook from YooKassa's addresses (or others)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from srochno.config import Settings
from tests.fakeyookassa import YOOKASSA_ADDRESS_V4, FakeYooKassa


@pytest.fixture(scope="session")
def fake_yookassa() -> Iterator[FakeYooKassa]:
    kassa = FakeYooKassa()
    kassa.start()
    try:
        yield kassa
    finally:
        kassa.stop()


@pytest.fixture
def kassa(fake_yookassa: FakeYooKassa) -> FakeYooKassa:
    """The fake YooKassa with nothing recorded and nothing programmed."""
    fake_yookassa.reset()
    return fake_yookassa


@pytest.fixture
def topups_on(override_settings: Any, kassa: FakeYooKassa) -> Settings:
    """The shared application with top-ups configured against the fake."""
    settings: Settings = override_settings(**kassa.settings())
    return settings


ClientFrom = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_from(app: FastAPI) -> ClientFrom:
    """``async with client_from("2a02:5180::15") as c``: requests that reach the
    application from that address (as uvicorn would have resolved it)."""

    @asynccontextmanager
    async def make(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 443))
        async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as c:
            yield c

    return make


@pytest.fixture
async def from_yookassa(client_from: ClientFrom) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from(YOOKASSA_ADDRESS_V4) as client:
        yield client
