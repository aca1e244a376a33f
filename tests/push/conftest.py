"""Fixtures of the Web Push tests: the fake push service over TLS (trusted by the process
through ``REQUESTS_CA_BUNDLE``), the application accepting its endpoints, web accounts
with a session, and the notification tests' worker."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno.config import Settings, new_vapid_private_key
from tests.fakepush import Device, FakePushService
from tests.notifications.conftest import start_worker  # noqa: F401 (a fixture)
from tests.notifications.test_email import session_cookie, web_account

VAPID_KEY = new_vapid_private_key()
"""The key this run's pushes are signed with."""
SERVICES: list[FakePushService] = []
"""The session's fake push service, once started (its port is in the allowed hosts)."""


@pytest.fixture(scope="session")
def push_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakePushService]:
    service = FakePushService(tmp_path_factory.mktemp("push-tls"))
    service.start()
    SERVICES.append(service)
    try:
        yield service
    finally:
        SERVICES.remove(service)
        service.stop()


@pytest.fixture
def push(push_service: FakePushService, monkeypatch: pytest.MonkeyPatch) -> FakePushService:
    """The fake push service with nothing received, its CA trusted by ``requests``."""
    push_service.reset()
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(push_service.ca_path))
    return push_service


def allowed_hosts() -> list[str]:
    """The fake push service's host and port, the one endpoint host the tests allow."""
    return [f"127.0.0.1:{service.port}" for service in SERVICES]


def push_settings(**overrides: Any) -> dict[str, Any]:
    return {"push_service_hosts": allowed_hosts(), "vapid_private_key": VAPID_KEY, **overrides}


@pytest.fixture
def push_on(override_settings: Any, push: FakePushService) -> Settings:
    """The shared application accepting the fake's endpoints, with this run's VAPID key."""
    settings: Settings = override_settings(**push_settings())
    return settings


async def web_executor(
    engine: AsyncEngine,
    settings: Settings,
    email: str,
    *,
    lang: str = "ru",
    categories: tuple[str, ...] = ("plumbing",),
    cities: tuple[str, ...] = ("москва",),
) -> tuple[int, dict[str, str]]:
    """A web account subscribed to new orders at once, and its session's headers."""
    user_id = await web_account(engine, email, lang)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "UPDATE users SET subscribed_categories = :categories, "
                "subscribed_cities = :cities, notification_frequency = 'instant' WHERE id = :id"
            ),
            {"categories": list(categories), "cities": list(cities), "id": user_id},
        )
    return user_id, await session_cookie(engine, settings, user_id)


async def subscribe(
    client: httpx.AsyncClient, headers: dict[str, str], device: Device
) -> httpx.Response:
    return await client.post(
        "/api/users/me/push-subscriptions", json=device.subscription(), headers=headers
    )


async def subscriptions(engine: AsyncEngine) -> list[tuple[int, int, str]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT id, user_id, endpoint FROM push_subscriptions ORDER BY id")
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]
