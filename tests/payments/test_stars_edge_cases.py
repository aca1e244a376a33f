"""Hostile or impossible Stars updates: answered 200 (Telegram would redeliver a 5xx
forever), recorded as rejected, never credited; an underpaid invoice stays unpaid."""

from __future__ import annotations

import pytest

from tests.helpers import audit_clean, scalar
from tests.payments.support import create_invoice, pay, status_of
from tests.telegram_updates import post_update, successful_payment

PAYER = 5301
BALANCE = "SELECT balance FROM users WHERE id = :id"
BIGINT_MAX = 2**63 - 1


@pytest.mark.parametrize(
    ("stars", "charge_id"),
    [
        (0, "charge-zero"),
        (-5, "charge-negative"),
        (10_001, "charge-above-max"),
        (2**62, "charge-huge"),
        (2**64 + 1, "charge-beyond-bigint"),
        (10, "c" * 10_000),
        (10, ""),
    ],
)
async def test_an_impossible_payment_is_rejected_with_200(
    client, settings, bot_api, engine, stars, charge_id
):
    update = successful_payment(PAYER, "NoSuchPayment123", stars, charge_id)
    for _ in range(2):
        response = await post_update(client, settings, update)
        assert response.status_code == 200, response.text
    assert await scalar(engine, "SELECT count(*) FROM payment_charges") == 0
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 0
    kind = "SELECT kind FROM telegram_updates WHERE update_id = :id"
    assert await scalar(engine, kind, id=update["update_id"]) == "rejected"
    assert bot_api.calls_of("sendMessage") == []
    await audit_clean(engine)


@pytest.mark.parametrize("currency", ["RUB", "USD", "xtr", ""])
async def test_a_payment_in_another_currency_is_rejected(
    client, settings, bot_api, engine, currency
):
    """Stars are the only currency the bot invoices in: a charge in anything else is not
    ours, even against a real invoice of the same amount."""
    invoice = await create_invoice(client, PAYER, 50)
    update = successful_payment(PAYER, invoice["payment_id"], 50, f"charge-{currency or 'none'}")
    update["message"]["successful_payment"]["currency"] = currency
    response = await post_update(client, settings, update)
    assert response.status_code == 200, response.text
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 0
    kind = "SELECT kind FROM telegram_updates WHERE update_id = :id"
    assert await scalar(engine, kind, id=update["update_id"]) == "rejected"
    assert await status_of(client, PAYER, invoice["payment_id"]) == "pending"


async def test_a_payment_above_a_lowered_stars_max_is_not_credited(
    client, settings, bot_api, engine, override_settings
):
    override_settings(stars_max=100)
    update = successful_payment(PAYER, "NoSuchPayment123", 101, "charge-101")
    assert (await post_update(client, settings, update)).status_code == 200
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 0


@pytest.mark.parametrize("update_id", [BIGINT_MAX + 1, 2**70, -1])
async def test_an_update_id_beyond_bigint_is_answered_200(client, settings, bot_api, update_id):
    update = successful_payment(PAYER, "x", 5, "charge-big-update", update_id=update_id)
    response = await post_update(client, settings, update)
    assert response.status_code == 200, response.text


async def test_a_payer_id_beyond_bigint_is_rejected(client, settings, bot_api, engine):
    update = successful_payment(BIGINT_MAX + 10, "x", 5, "charge-big-payer")
    assert (await post_update(client, settings, update)).status_code == 200
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 0


async def test_a_command_from_a_user_id_beyond_bigint_is_answered_200(client, settings, bot_api):
    from tests.telegram_updates import command

    update = command(BIGINT_MAX + 1, "/start")
    assert (await post_update(client, settings, update)).status_code == 200
    kind = "SELECT kind FROM telegram_updates WHERE update_id = :id"
    engine_free = await post_update(client, settings, update)  # redelivered: still 200
    assert engine_free.status_code == 200
    del kind


async def test_an_underpaid_invoice_is_credited_what_was_paid_and_stays_unpaid(
    client, settings, bot_api, engine
):
    invoice = await create_invoice(client, PAYER, 30)
    await pay(client, settings, PAYER, {**invoice, "stars": 1}, "charge-one-star")
    assert await scalar(engine, BALANCE, id=PAYER) == 1
    assert await status_of(client, PAYER, invoice["payment_id"]) == "pending"
    await audit_clean(engine)
    await pay(client, settings, PAYER, invoice, "charge-full")
    assert await scalar(engine, BALANCE, id=PAYER) == 31
    assert await status_of(client, PAYER, invoice["payment_id"]) == "paid"
    await audit_clean(engine)
