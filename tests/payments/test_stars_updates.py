"""Telegram's payment updates at the webhook: the pre-checkout answer, crediting a
successful payment exactly once, and a refund made elsewhere."""

from __future__ import annotations

import pytest

from tests.helpers import audit_clean, auth, create_order, scalar, take
from tests.payments.support import create_invoice, pay, status_of
from tests.telegram_updates import (
    next_update_id,
    post_update,
    pre_checkout,
    refunded_payment,
    successful_payment,
)

PAYER, OTHER = 5201, 5202
BALANCE = "SELECT balance FROM users WHERE id = :id"


async def answer_of(bot_api) -> dict:
    (call,) = bot_api.calls_of("answerPreCheckoutQuery")
    return call.params


async def test_pre_checkout_of_a_pending_payment_is_accepted(client, settings, bot_api):
    invoice = await create_invoice(client, PAYER, 25)
    update = pre_checkout(PAYER, invoice["payment_id"], 25)
    response = await post_update(client, settings, update)
    assert response.status_code == 200
    answer = await answer_of(bot_api)
    assert answer["ok"] is True
    assert answer["pre_checkout_query_id"] == update["pre_checkout_query"]["id"]
    assert "error_message" not in answer


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong_user", "другому пользователю"),
        ("wrong_amount", "Сумма не совпадает"),
        ("unknown_payload", "не найден"),
        ("garbage_payload", "не найден"),
        ("wrong_currency", "только звёздами"),
        ("already_paid", "уже оплачен"),
    ],
)
async def test_pre_checkout_is_refused_with_a_reason(client, settings, bot_api, case, expected):
    invoice = await create_invoice(client, PAYER, 25)
    user, payload, amount, currency = PAYER, invoice["payment_id"], 25, "XTR"
    if case == "wrong_user":
        user = OTHER
    elif case == "wrong_amount":
        amount = 24
    elif case == "unknown_payload":
        payload = "NoSuchPayment123"
    elif case == "garbage_payload":
        payload = "not a payment \x00 id"
    elif case == "wrong_currency":
        currency = "USD"
    elif case == "already_paid":
        await pay(client, settings, PAYER, invoice, "charge-paid-before")
    response = await post_update(
        client, settings, pre_checkout(user, payload, amount, currency=currency)
    )
    assert response.status_code == 200
    answer = await answer_of(bot_api)
    assert answer["ok"] is False
    assert expected in answer["error_message"]


async def test_pre_checkout_refusal_in_english(client, settings, bot_api):
    update = pre_checkout(PAYER, "NoSuchPayment123", 5, language_code="en")
    await post_update(client, settings, update)
    answer = await answer_of(bot_api)
    assert answer["error_message"] == "This invoice was not found. Create a new one in the app."


async def test_a_successful_payment_is_credited_once(client, settings, bot_api, engine):
    invoice = await create_invoice(client, PAYER, 40)
    update = successful_payment(PAYER, invoice["payment_id"], 40, "charge-1")
    for _ in range(3):  # Telegram redelivers the same update
        response = await post_update(client, settings, update)
        assert response.status_code == 200
    # Another update carrying the same charge (a copy through another path) credits nothing.
    again = successful_payment(PAYER, invoice["payment_id"], 40, "charge-1")
    assert (await post_update(client, settings, again)).status_code == 200

    assert await scalar(engine, BALANCE, id=PAYER) == 40
    assert await status_of(client, PAYER, invoice["payment_id"]) == "paid"
    (message,) = bot_api.calls_of("sendMessage")
    assert message.params["chat_id"] == PAYER
    assert "Оплата 40 ⭐ получена: +40 ₽" in message.params["text"]
    response = await client.get("/api/balance/transactions", headers=auth(PAYER))
    (entry,) = response.json()["items"]
    assert (entry["type"], entry["amount"], entry["method"]) == ("recharge", 40, "telegram_stars")
    assert await scalar(engine, "SELECT count(*) FROM payment_charges") == 1
    await audit_clean(engine)


async def test_the_same_invoice_paid_twice_credits_twice(client, settings, bot_api, engine):
    invoice = await create_invoice(client, PAYER, 15)
    await pay(client, settings, PAYER, invoice, "charge-a")
    await pay(client, settings, PAYER, invoice, "charge-b")
    assert await scalar(engine, BALANCE, id=PAYER) == 30
    assert len(bot_api.calls_of("sendMessage")) == 2
    assert await status_of(client, PAYER, invoice["payment_id"]) == "paid"
    await audit_clean(engine)


async def test_a_charge_of_an_unknown_payload_is_still_credited_to_the_payer(
    client, settings, bot_api, engine
):
    stranger = 5299  # never opened the Mini App
    update = successful_payment(
        stranger, "NoSuchPayment123", 12, "charge-unknown", language_code="en"
    )
    assert (await post_update(client, settings, update)).status_code == 200
    assert await scalar(engine, BALANCE, id=stranger) == 12
    assert await scalar(engine, "SELECT payment_id FROM payment_charges") is None
    (message,) = bot_api.calls_of("sendMessage")
    assert "Payment of 12 ⭐ received" in message.params["text"]
    await audit_clean(engine)


async def test_another_users_invoice_paid_credits_the_payer_not_the_invoice(
    client, settings, bot_api, engine
):
    invoice = await create_invoice(client, PAYER, 9)
    await pay(client, settings, OTHER, invoice, "charge-other")
    assert await scalar(engine, BALANCE, id=OTHER) == 9
    assert await scalar(engine, BALANCE, id=PAYER) == 0
    assert await status_of(client, PAYER, invoice["payment_id"]) == "pending"
    await audit_clean(engine)


async def test_a_refund_made_elsewhere_is_debited(client, settings, bot_api, engine):
    invoice = await create_invoice(client, PAYER, 30)
    await pay(client, settings, PAYER, invoice, "charge-r")
    update = refunded_payment(PAYER, invoice["payment_id"], 30, "charge-r")
    for _ in range(2):  # redelivered: debited once
        assert (await post_update(client, settings, update)).status_code == 200
    assert await scalar(engine, BALANCE, id=PAYER) == 0
    assert await status_of(client, PAYER, invoice["payment_id"]) == "refunded"
    response = await client.get("/api/balance/transactions", headers=auth(PAYER))
    assert [(e["type"], e["amount"]) for e in response.json()["items"]] == [
        ("payment_refund", -30),
        ("recharge", 30),
    ]
    await audit_clean(engine)


async def test_a_refund_made_elsewhere_beyond_the_balance_records_the_shortfall(
    client, settings, bot_api, engine
):
    invoice = await create_invoice(client, PAYER, 3)
    await pay(client, settings, PAYER, invoice, "charge-spent")
    order = await create_order(client, OTHER)
    assert (await take(client, order["id"], PAYER)).status_code == 200  # spends 2 of 3
    update = refunded_payment(PAYER, invoice["payment_id"], 3, "charge-spent")
    assert (await post_update(client, settings, update)).status_code == 200
    assert await scalar(engine, BALANCE, id=PAYER) == 0
    assert await scalar(engine, "SELECT refunded_rub FROM payment_charges") == 1
    assert await scalar(engine, "SELECT refund_shortfall_rub FROM payment_charges") == 2
    assert await status_of(client, PAYER, invoice["payment_id"]) == "refunded"
    await audit_clean(engine)


async def test_a_refund_of_an_unknown_charge_changes_nothing(client, settings, bot_api, engine):
    update = refunded_payment(PAYER, "x", 3, "charge-never-seen", update_id=next_update_id())
    assert (await post_update(client, settings, update)).status_code == 200
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 0


async def test_one_of_two_charges_refunded_leaves_the_payment_paid(
    client, settings, bot_api, engine
):
    invoice = await create_invoice(client, PAYER, 5)
    await pay(client, settings, PAYER, invoice, "charge-x")
    await pay(client, settings, PAYER, invoice, "charge-y")
    update = refunded_payment(PAYER, invoice["payment_id"], 5, "charge-x")
    assert (await post_update(client, settings, update)).status_code == 200
    assert await status_of(client, PAYER, invoice["payment_id"]) == "paid"
    assert await scalar(engine, BALANCE, id=PAYER) == 5
    await audit_clean(engine)
