"""``srochno payments refund`` and ``srochno payments reconcile``, run as an operator runs
them (subprocesses), against the fake Bot API."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import pytest

from tests import prefork
from tests.helpers import audit_clean, create_order, scalar, take
from tests.payments.support import create_invoice, pay, status_of
from tests.servers import server_env
from tests.telegram_updates import star_transaction

PAYER, OTHER = 5301, 5302
BALANCE = "SELECT balance FROM users WHERE id = :id"
TOOL_TIMEOUT_SECONDS = 180  # a start-up included: only a hung tool should reach it


@pytest.fixture
def srochno(database_url, fake_bot_api, tmp_path: Path):
    env = server_env(
        database_url,
        {"TELEGRAM_API_URL": fake_bot_api.url, "MIGRATE_ON_START": "false"},
        tmp_path / "data",
    )

    async def run(*args: str) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(
            prefork.run, args, cwd=tmp_path, env=env, timeout=TOOL_TIMEOUT_SECONDS
        )

    return run


async def test_refund_calls_telegram_then_debits(client, settings, bot_api, engine, srochno):
    invoice = await create_invoice(client, PAYER, 20)
    await pay(client, settings, PAYER, invoice, "charge-cli-1")
    result = await srochno("payments", "refund", "charge-cli-1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "refunded charge-cli-1: -20 ₽" in result.stdout
    (call,) = bot_api.calls_of("refundStarPayment")
    assert call.params == {"user_id": PAYER, "telegram_payment_charge_id": "charge-cli-1"}
    assert await scalar(engine, BALANCE, id=PAYER) == 0
    assert await status_of(client, PAYER, invoice["payment_id"]) == "refunded"
    await audit_clean(engine)

    # Refunding again is refused, and Telegram is not called.
    result = await srochno("payments", "refund", "charge-cli-1")
    assert result.returncode == 1
    assert "already refunded" in result.stderr
    assert len(bot_api.calls_of("refundStarPayment")) == 1


async def test_refund_is_refused_when_the_balance_no_longer_covers_it(
    client, settings, bot_api, engine, srochno
):
    invoice = await create_invoice(client, PAYER, 2)
    await pay(client, settings, PAYER, invoice, "charge-cli-spent")
    order = await create_order(client, OTHER)
    assert (await take(client, order["id"], PAYER)).status_code == 200
    result = await srochno("payments", "refund", "charge-cli-spent")
    assert result.returncode == 1
    assert "no longer covers" in result.stderr
    assert bot_api.calls_of("refundStarPayment") == []
    assert await status_of(client, PAYER, invoice["payment_id"]) == "paid"
    await audit_clean(engine)


async def test_refund_of_an_unknown_charge_is_refused(bot_api, srochno, engine):
    result = await srochno("payments", "refund", "no-such-charge")
    assert result.returncode == 1
    assert bot_api.calls_of("refundStarPayment") == []


async def test_a_refund_telegram_refuses_changes_nothing(
    client, settings, bot_api, engine, srochno
):
    invoice = await create_invoice(client, PAYER, 4)
    await pay(client, settings, PAYER, invoice, "charge-cli-fail")
    bot_api.fail("refundStarPayment", status=400, description="Bad Request: CHARGE_NOT_FOUND")
    result = await srochno("payments", "refund", "charge-cli-fail")
    assert result.returncode == 1
    assert "CHARGE_NOT_FOUND" in result.stderr
    assert await scalar(engine, BALANCE, id=PAYER) == 4
    assert await status_of(client, PAYER, invoice["payment_id"]) == "paid"
    await audit_clean(engine)


async def test_a_refund_answer_that_cannot_be_read_changes_nothing(
    client, settings, bot_api, engine, srochno
):
    """Done or not at Telegram, nothing is recorded; the operator's retry is told "already
    refunded" if it was done, and records it then."""
    invoice = await create_invoice(client, PAYER, 4)
    await pay(client, settings, PAYER, invoice, "charge-cli-unread")
    bot_api.answer("refundStarPayment", {"weird": [1, 2]})
    result = await srochno("payments", "refund", "charge-cli-unread")
    assert result.returncode == 1
    assert "not understood" in result.stderr
    assert await scalar(engine, BALANCE, id=PAYER) == 4
    assert await status_of(client, PAYER, invoice["payment_id"]) == "paid"
    await audit_clean(engine)


async def test_a_charge_telegram_already_refunded_is_recorded(
    client, settings, bot_api, engine, srochno
):
    invoice = await create_invoice(client, PAYER, 4)
    await pay(client, settings, PAYER, invoice, "charge-cli-twice")
    bot_api.fail(
        "refundStarPayment", status=400, description="Bad Request: CHARGE_ALREADY_REFUNDED"
    )
    result = await srochno("payments", "refund", "charge-cli-twice")
    assert result.returncode == 0, result.stderr
    assert await scalar(engine, BALANCE, id=PAYER) == 0
    await audit_clean(engine)


async def test_reconcile_reports_and_applies_missed_charges(
    client, settings, bot_api, engine, srochno
):
    invoice = await create_invoice(client, PAYER, 10)
    await pay(client, settings, PAYER, invoice, "charge-known")
    missed = await create_invoice(client, PAYER, 6)  # paid, but the update never arrived
    await pay(client, settings, PAYER, await create_invoice(client, PAYER, 1), "charge-ours-only")
    # More than one page of unrelated transactions around them.
    bot_api.star_transactions.extend(
        {"id": f"other-{i}", "amount": 1, "date": 0} for i in range(150)
    )
    bot_api.star_transactions += [
        star_transaction("charge-known", PAYER, 10, invoice["payment_id"]),
        star_transaction("charge-missed", PAYER, 6, missed["payment_id"]),
        star_transaction("charge-stranger", 5399, 3, None),
    ]

    result = await srochno("payments", "reconcile")
    assert result.returncode == 1, result.stderr
    assert '"charge-missed"' in result.stdout
    assert '"charge-stranger"' in result.stdout
    assert '"charge-ours-only"' in result.stdout
    assert "differences found" in result.stdout
    assert len(bot_api.calls_of("getStarTransactions")) == 2  # offsets 0 and 100
    assert await scalar(engine, BALANCE, id=PAYER) == 11  # nothing applied

    result = await srochno("payments", "reconcile", "--apply")
    assert '"credited": [\n    "charge-missed",\n    "charge-stranger"\n  ]' in result.stdout
    assert await scalar(engine, BALANCE, id=PAYER) == 17
    assert await scalar(engine, BALANCE, id=5399) == 3
    assert await status_of(client, PAYER, missed["payment_id"]) == "paid"
    await audit_clean(engine)

    # Now only our own extra charge remains to look at; applying again credits nothing.
    result = await srochno("payments", "reconcile", "--apply")
    assert '"credited": []' in result.stdout
    assert await scalar(engine, BALANCE, id=PAYER) == 17
