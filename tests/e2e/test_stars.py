"""A Telegram Stars top-up in the browser, as it happens in Telegram: the page asks the server
for an invoice (made by the fake Bot API), opens it, and Telegram's pre-checkout query and
successful payment reach the webhook of a real ``srochno serve``. The balance the page shows
is the server's: a 'paid' from the invoice callback alone credits nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.fakebotapi import FakeBotAPI
from tests.helpers import auth
from tests.servers import run_servers
from tests.telegram_updates import pre_checkout, successful_payment

PAYER = 9201
STARS, EARLY = 70, 30
WEBHOOK_SECRET = "e2e-stars-webhook-secret"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
OPEN_INVOICES = "(n) => window.__tgStub.calls.filter((c) => c[0] === 'openInvoice').length >= n"


@pytest.fixture(scope="module")
def server(database_url: str, fake_bot_api: FakeBotAPI) -> Iterator[str]:
    """The e2e server, its bot calls going to the fake Bot API, its webhook secret known."""
    env = {"TELEGRAM_API_URL": fake_bot_api.url, "TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET}
    with run_servers(database_url, 1, env=env) as group:
        yield group.urls[0]


@pytest.fixture
async def api(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=30) as client:
        yield client


async def deliver(api: httpx.AsyncClient, update: dict[str, Any]) -> None:
    """An update posted to the webhook as Telegram does; 200 once its effects are committed."""
    response = await api.post(
        "/telegram/webhook", json=update, headers={SECRET_HEADER: WEBHOOK_SECRET}
    )
    assert response.status_code == 200, response.text


async def telegram_pays(
    api: httpx.AsyncClient, bot_api: FakeBotAPI, payment_id: str, stars: int, charge_id: str
) -> None:
    """Telegram's side of a payment: the pre-checkout query (accepted), then the charge."""
    update = pre_checkout(PAYER, payment_id, stars)
    await deliver(api, update)
    query_id = update["pre_checkout_query"]["id"]
    (answer,) = [
        call.params
        for call in bot_api.calls_of("answerPreCheckoutQuery")
        if call.params["pre_checkout_query_id"] == query_id
    ]
    assert answer["ok"] is True, answer
    await deliver(api, successful_payment(PAYER, payment_id, stars, charge_id))


async def top_up(app: Any, bot_api: FakeBotAPI, stars: int, invoices_before: int) -> str:
    """Enter ``stars`` and press the main button; the payment id the invoice's payload carries,
    once the page has opened the invoice link the server got from the Bot API."""
    await app.page.locator("input[name=stars]").fill(str(stars))
    await expect(app.main_button()).to_have_text(f"Оплатить {stars} ★")
    await app.main_button().click()
    link = (await bot_api.until("createInvoiceLink", invoices_before + 1))[invoices_before]
    assert link.params["currency"] == "XTR"
    assert [price["amount"] for price in link.params["prices"]] == [stars]
    await app.page.wait_for_function(OPEN_INVOICES, arg=invoices_before + 1)
    opened = [c[1] for c in await app.calls() if c[0] == "openInvoice"][invoices_before]
    assert opened.startswith("https://t.me/$fake-invoice-")
    payment_id: str = link.params["payload"]
    return payment_id


async def test_stars_top_up_is_credited_by_the_webhook_not_the_callback(
    open_user: Any, api: httpx.AsyncClient, bot_api: FakeBotAPI
) -> None:
    app = await open_user(
        PAYER, first_name="Вера", language_code="ru", stub={"invoiceStatus": "manual"}
    )
    page = app.page
    await app.open("balance")
    amount = page.locator(".balance-amount")
    status = page.locator(".payment-status")
    recharges = page.locator(".ledger-row[data-type=recharge]")
    await expect(amount).to_have_text("0 ₽")
    await expect(page.locator(".ledger")).to_have_text("Операций пока нет.")

    # 1. The invoice opens; Telegram confirms the payment at the webhook, then the sheet
    # closes 'paid' and the page asks the server, which has credited it.
    payment_id = await top_up(app, bot_api, STARS, 0)
    status_url = f"/api/balance/invoices/{payment_id}"
    invoice = (await api.get(status_url, headers=auth(PAYER))).json()
    assert invoice["status"] == "pending"
    assert [c[1] for c in await app.calls() if c[0] == "openInvoice"] == [invoice["invoice_url"]]
    await telegram_pays(api, bot_api, payment_id, STARS, "charge-e2e-1")
    await page.evaluate("window.__tgStub.closeInvoice('paid')")
    await expect(status).to_have_text(f"Оплата получена: +{STARS} ₽.")
    await expect(amount).to_have_text(f"{STARS} ₽")
    await expect(recharges).to_have_count(1)
    await expect(recharges.first).to_contain_text(f"+{STARS} ₽")
    assert (await api.get("/api/balance", headers=auth(PAYER))).json()["balance"] == STARS
    ledger = (await api.get("/api/balance/transactions", headers=auth(PAYER))).json()["items"]
    assert [(e["type"], e["amount"], e["method"]) for e in ledger] == [
        ("recharge", STARS, "telegram_stars")
    ]
    await app.screenshot("balance-stars-paid")

    # 2. A 'paid' callback before Telegram's update: the server says pending, so the page
    # neither re-reads nor changes the balance; it keeps asking until the webhook credits.
    early_id = await top_up(app, bot_api, EARLY, 1)
    early_url = f"/api/balance/invoices/{early_id}"
    balance_reads: list[str] = []
    page.on(
        "request",
        lambda request: (
            balance_reads.append(request.url) if request.url.endswith("/api/balance") else None
        ),
    )
    for attempt in range(2):  # the first answer is handled before the second is asked
        async with page.expect_response(lambda r: r.url.endswith(early_url)) as polled:
            if attempt == 0:
                await page.evaluate("window.__tgStub.closeInvoice('paid')")
        assert (await (await polled.value).json())["status"] == "pending"
    assert balance_reads == []
    await expect(status).to_have_text("Ждём подтверждения оплаты от Telegram…")
    await expect(amount).to_have_text(f"{STARS} ₽")
    await expect(recharges).to_have_count(1)
    await app.screenshot("balance-stars-waiting")

    await telegram_pays(api, bot_api, early_id, EARLY, "charge-e2e-2")
    await expect(status).to_have_text(f"Оплата получена: +{EARLY} ₽.")
    await expect(amount).to_have_text(f"{STARS + EARLY} ₽")
    await expect(recharges).to_have_count(2)
    await expect(recharges.first).to_contain_text(f"+{EARLY} ₽")
    assert (await api.get("/api/balance", headers=auth(PAYER))).json()["balance"] == STARS + EARLY
    ledger = (await api.get("/api/balance/transactions", headers=auth(PAYER))).json()["items"]
    assert [(e["type"], e["amount"], e["method"]) for e in ledger] == [
        ("recharge", EARLY, "telegram_stars"),
        ("recharge", STARS, "telegram_stars"),
    ]
    await app.screenshot("balance-stars")
    app.assert_clean()
