"""Refunds and reconciliation of top-ups: ``srochno payments refund-topup`` and
``srochno payments reconcile --provider yookassa``, run as an operator runs them
(subprocesses), against the fake YooKassa."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests import prefork
from tests.fakeyookassa import SECRET_KEY, SHOP_ID, notification
from tests.helpers import audit_clean, create_order, scalar, take
from tests.payments.test_topups import BALANCE, USER, new_topup, status_of
from tests.servers import server_env

TOOL_TIMEOUT_SECONDS = 180  # a start-up included: only a hung tool should reach it


@pytest.fixture
def srochno(database_url, kassa, tmp_path: Path):
    env = server_env(
        database_url,
        {
            "MIGRATE_ON_START": "false",
            "YOOKASSA_SHOP_ID": SHOP_ID,
            "YOOKASSA_SECRET_KEY": SECRET_KEY,
            "YOOKASSA_API_URL": kassa.url,
        },
        tmp_path / "data",
    )

    async def run(*args: str) -> subprocess.CompletedProcess[str]:
        return await asyncio.to_thread(
            prefork.run, args, cwd=tmp_path, env=env, timeout=TOOL_TIMEOUT_SECONDS
        )

    return run


async def paid_topup(client, kassa, from_yookassa, amount):
    topup, payment_id = await new_topup(client, kassa, amount=amount)
    body = notification(kassa.succeed(payment_id))
    assert (await from_yookassa.post("/payments/yookassa", json=body)).status_code == 200
    return topup["topup_id"], payment_id


async def test_refund_topup_calls_yookassa_then_debits(
    client, topups_on, kassa, engine, from_yookassa, srochno
):
    topup_id, payment_id = await paid_topup(client, kassa, from_yookassa, 300)
    result = await srochno("payments", "refund-topup", topup_id)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"refunded top-up {topup_id}: -300 ₽" in result.stdout
    (call,) = kassa.calls_of("POST", "/v3/refunds")
    assert call.idempotence_key == f"refund-{topup_id}"
    assert call.body["payment_id"] == payment_id
    assert call.body["amount"] == {"value": "300.00", "currency": "RUB"}
    assert call.body["receipt"]["customer"] == {"email": "client@example.ru"}
    (item,) = call.body["receipt"]["items"]
    assert (item["payment_mode"], item["payment_subject"]) == ("full_prepayment", "service")
    assert await scalar(engine, BALANCE, id=USER) == 0
    assert await status_of(client, topup_id) == "refunded"
    await audit_clean(engine)

    again = await srochno("payments", "refund-topup", topup_id)
    assert again.returncode == 1
    assert "topup_not_refundable" in again.stderr
    assert len(kassa.calls_of("POST", "/v3/refunds")) == 1


async def test_a_refund_beyond_the_balance_is_refused_and_yookassa_not_called(
    client, topups_on, kassa, engine, from_yookassa, srochno
):
    topup_id, _ = await paid_topup(client, kassa, from_yookassa, 100)
    order = await create_order(client, 6150)
    assert (await take(client, order["id"], USER)).status_code == 200  # spends 2
    result = await srochno("payments", "refund-topup", topup_id)
    assert result.returncode == 1
    assert "refund_exceeds_balance" in result.stderr
    assert kassa.calls_of("POST", "/v3/refunds") == []
    assert await status_of(client, topup_id) == "paid"
    await audit_clean(engine)


async def test_a_refund_yookassa_refuses_changes_nothing(
    client, topups_on, kassa, engine, from_yookassa, srochno
):
    topup_id, _ = await paid_topup(client, kassa, from_yookassa, 100)
    kassa.refuse_refunds = True
    result = await srochno("payments", "refund-topup", topup_id)
    assert result.returncode == 1
    assert "refund_failed" in result.stderr
    assert await scalar(engine, BALANCE, id=USER) == 100
    assert await status_of(client, topup_id) == "paid"
    result = await srochno("payments", "refund-topup", "NoSuchTopup")
    assert result.returncode == 1
    assert "topup_not_found" in result.stderr
    await audit_clean(engine)


async def test_reconcile_credits_a_payment_whose_notification_never_came(
    client, topups_on, kassa, engine, from_yookassa, srochno
):
    await paid_topup(client, kassa, from_yookassa, 200)  # settled normally
    missed, missed_payment = await new_topup(client, kassa, amount=500)
    kassa.succeed(missed_payment)  # ...but its notification is lost
    await new_topup(client, kassa, amount=100)  # still pending at both ends
    for _ in range(3):  # others' payments
        kassa.add_payment(status="succeeded", paid=True)
    kassa.page_limit = 2  # three pages to go through

    report = await srochno("payments", "reconcile", "--provider", "yookassa")
    assert report.returncode == 1, report.stdout + report.stderr
    found = json.loads(report.stdout.rsplit("}", 1)[0] + "}")
    assert found["missing_here"] == [missed["topup_id"]]
    assert found["credited"] == []
    assert found["yookassa_payments"] == 6
    pages = [c for c in kassa.calls_of("GET", "/v3/payments") if c.path == "/v3/payments"]
    assert [c.params.get("cursor") for c in pages] == [None, "2", "4"]
    assert await scalar(engine, BALANCE, id=USER) == 200

    applied = await srochno("payments", "reconcile", "--provider", "yookassa", "--apply")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert await scalar(engine, BALANCE, id=USER) == 700
    assert await status_of(client, missed["topup_id"]) == "paid"
    clean = await srochno("payments", "reconcile", "--provider", "yookassa")
    assert clean.returncode == 0
    assert "reconcile: clean" in clean.stdout
    await audit_clean(engine)


async def test_reconcile_without_a_shop_says_so(srochno, tmp_path):
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "srochno", "payments", "reconcile", "--provider", "yookassa"],
        cwd=tmp_path,
        env={**server_env("postgresql://nowhere/x", {}, tmp_path / "d")},
        capture_output=True,
        text=True,
        timeout=TOOL_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode != 0
    assert "YOOKASSA_SHOP_ID" in result.stderr
