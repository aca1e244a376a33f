"""``POST /api/balance/invoices`` and ``GET /api/balance/invoices/{id}`` against the fake
Bot API: the real aiogram session makes ``createInvoiceLink``."""

from __future__ import annotations

import pytest

from tests.helpers import audit_clean, auth, scalar
from tests.payments.support import create_invoice

USER, OTHER = 5101, 5102


async def test_an_invoice_is_a_pending_payment_and_a_stars_link(client, bot_api, engine):
    invoice = await create_invoice(client, USER, 50)
    assert invoice["status"] == "pending"
    assert invoice["stars"] == 50
    assert invoice["amount_rub"] == 50
    assert invoice["invoice_url"].startswith("https://t.me/$fake-invoice-")
    (call,) = bot_api.calls_of("createInvoiceLink")
    assert call.params["currency"] == "XTR"
    assert call.params["payload"] == invoice["payment_id"]
    assert [price["amount"] for price in call.params["prices"]] == [50]
    assert call.params.get("provider_token", "") == ""  # Stars take no provider token
    assert call.params["title"] == "Пополнение баланса"

    response = await client.get(
        f"/api/balance/invoices/{invoice['payment_id']}", headers=auth(USER)
    )
    assert response.status_code == 200
    assert response.json() == invoice
    await audit_clean(engine)


async def test_an_english_user_gets_an_english_invoice(client, bot_api):
    response = await client.post(
        "/api/balance/invoices", json={"stars": 3}, headers=auth(USER, language_code="en")
    )
    assert response.status_code == 201
    (call,) = bot_api.calls_of("createInvoiceLink")
    assert call.params["title"] == "Balance top-up"


async def test_the_rate_sets_the_rubles(client, bot_api, override_settings):
    override_settings(stars_rub_rate=3)
    invoice = await create_invoice(client, USER, 7)
    assert invoice["amount_rub"] == 21


async def test_someone_elses_payment_is_not_found(client, bot_api):
    invoice = await create_invoice(client, USER, 5)
    response = await client.get(
        f"/api/balance/invoices/{invoice['payment_id']}", headers=auth(OTHER)
    )
    assert response.status_code == 404
    assert response.json()["code"] == "payment_not_found"
    response = await client.get("/api/balance/invoices/nonexistent", headers=auth(USER))
    assert response.status_code == 404


@pytest.mark.parametrize("stars", [0, -1, 10_001, True, "5", 1.0, None, 2.5])
async def test_stars_must_be_a_whole_number_in_range(client, bot_api, engine, stars):
    response = await client.post("/api/balance/invoices", json={"stars": stars}, headers=auth(USER))
    assert response.status_code == 422
    assert bot_api.calls == []
    assert await scalar(engine, "SELECT count(*) FROM payments") == 0


async def test_the_configured_range_narrows_the_stars(client, bot_api, override_settings):
    override_settings(stars_min=10, stars_max=100)
    for stars in (9, 101):
        response = await client.post(
            "/api/balance/invoices", json={"stars": stars}, headers=auth(USER)
        )
        assert response.status_code == 422
        assert response.json()["code"] == "stars_out_of_range"
    assert bot_api.calls == []
    await create_invoice(client, USER, 10)
    await create_invoice(client, USER, 100)


async def test_an_idempotency_key_answers_the_same_payment(client, bot_api, engine):
    first = await create_invoice(client, USER, 20, **{"Idempotency-Key": "topup-1"})
    again = await create_invoice(client, USER, 20, **{"Idempotency-Key": "topup-1"})
    assert again == first
    assert len(bot_api.calls_of("createInvoiceLink")) == 1
    other_user = await create_invoice(client, OTHER, 20, **{"Idempotency-Key": "topup-1"})
    assert other_user["payment_id"] != first["payment_id"]
    response = await client.post(
        "/api/balance/invoices",
        json={"stars": 21},
        headers={**auth(USER), "Idempotency-Key": "topup-1"},
    )
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_conflict"
    assert await scalar(engine, "SELECT count(*) FROM payments") == 2


@pytest.mark.parametrize(
    "program",
    [
        lambda api: api.fail("createInvoiceLink", status=500),
        lambda api: api.fail("createInvoiceLink", status=400, description="Bad Request: nope"),
        lambda api: api.retry_after("createInvoiceLink", 5),
        lambda api: api.forbid("createInvoiceLink", description="Forbidden: bot was blocked"),
        lambda api: api.answer("createInvoiceLink", {"weird": [1, 2]}),
    ],
    ids=["500", "400", "429", "403", "unreadable"],
)
async def test_a_bot_api_failure_is_a_502_and_leaves_nothing_pending(
    client, bot_api, engine, program
):
    program(bot_api)
    response = await client.post(
        "/api/balance/invoices",
        json={"stars": 10},
        headers={**auth(USER), "Idempotency-Key": "k1"},
    )
    assert response.status_code == 502
    assert response.json() == {
        "detail": "Telegram could not create the invoice, try again shortly",
        "code": "payment_provider_error",
    }
    assert len(bot_api.calls_of("createInvoiceLink")) == 1
    assert await scalar(engine, "SELECT count(*) FROM payments") == 0
    # The key was not spent: the retry makes the invoice.
    bot_api.policies.clear()
    invoice = await create_invoice(client, USER, 10, **{"Idempotency-Key": "k1"})
    assert invoice["status"] == "pending"
    await audit_clean(engine)


async def test_an_unreachable_bot_api_is_a_502(client, bot_api, engine, app, monkeypatch):
    from aiogram.client.telegram import TelegramAPIServer

    monkeypatch.setattr(
        app.state.bot.session, "api", TelegramAPIServer.from_base("http://127.0.0.1:9")
    )
    response = await client.post("/api/balance/invoices", json={"stars": 10}, headers=auth(USER))
    assert response.status_code == 502
    assert await scalar(engine, "SELECT count(*) FROM payments") == 0
