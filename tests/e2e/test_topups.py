"""A ruble top-up in the browser: the page asks for the receipt e-mail once, opens
YooKassa's page with openLink, and shows the balance the server credited once YooKassa's
notification reached a real ``srochno serve`` — never because the user came back."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.fakeyookassa import (
    SECRET_KEY,
    SHOP_ID,
    YOOKASSA_ADDRESS_V4,
    FakeYooKassa,
    notification,
)
from tests.helpers import auth
from tests.servers import run_servers

PAYER = 9301
OPEN_LINKS = "(n) => window.__tgStub.calls.filter((c) => c[0] === 'openLink').length >= n"


@pytest.fixture(scope="module")
def server(database_url: str, fake_yookassa: FakeYooKassa) -> Iterator[str]:
    env = {
        "YOOKASSA_SHOP_ID": SHOP_ID,
        "YOOKASSA_SECRET_KEY": SECRET_KEY,
        "YOOKASSA_API_URL": fake_yookassa.url,
    }
    with run_servers(database_url, 1, env=env) as group:
        yield group.urls[0]


@pytest.fixture
async def api(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=30) as client:
        yield client


async def test_a_ruble_top_up_is_credited_by_the_notification(
    open_user: Any, api: httpx.AsyncClient, kassa: FakeYooKassa
) -> None:
    app = await open_user(PAYER, first_name="Ира", language_code="ru")
    page = app.page
    await app.open("balance")
    amount = page.locator(".balance-amount")
    status = page.locator(".topups .payment-status")
    await expect(amount).to_have_text("0 ₽")

    # The first time, the server asks for the receipt's e-mail; the page shows the field.
    await page.locator(".topups .presets button", has_text="500 ₽").click()
    await page.locator("button.pay-rubles").click()
    await expect(status).to_have_text("Укажите e-mail: туда придёт чек. Спросим один раз.")
    await page.locator("input[name=email]").fill("ira@example.ru")
    await page.locator("button.pay-rubles").click()
    await page.wait_for_function(OPEN_LINKS, arg=1)
    opened = [c[1] for c in await app.calls() if c[0] == "openLink"]
    (payment,) = kassa.payments.values()
    assert opened == [payment["confirmation"]["confirmation_url"]]
    assert payment["receipt"]["customer"] == {"email": "ira@example.ru"}
    await expect(status).to_contain_text("Оплатите на странице ЮKassa")
    await expect(amount).to_have_text("0 ₽")

    # YooKassa's notification (through the trusted proxy's header) credits it.
    response = await api.post(
        "/payments/yookassa",
        json=notification(kassa.succeed(payment["id"])),
        headers={"X-Forwarded-For": YOOKASSA_ADDRESS_V4},
    )
    assert response.status_code == 200, response.text
    await expect(status).to_have_text("Оплата получена: +500 ₽.")
    await expect(amount).to_have_text("500 ₽")
    assert (await api.get("/api/balance", headers=auth(PAYER))).json()["balance"] == 500
    await app.screenshot("balance-rubles-paid")

    # The e-mail is kept: the next top-up asks for none.
    await page.locator("button.pay-rubles").click()
    await page.wait_for_function(OPEN_LINKS, arg=2)
    assert len(kassa.payments) == 2
    assert app.errors == []
