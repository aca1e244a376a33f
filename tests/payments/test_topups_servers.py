"""Notifications reaching two real server processes at once, behind a proxy they trust
(``FORWARDED_ALLOW_IPS``): the client address comes from ``X-Forwarded-For`` there, and
nowhere else."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from tests.fakeyookassa import (
    SECRET_KEY,
    SHOP_ID,
    YOOKASSA_ADDRESS_V4,
    YOOKASSA_ADDRESS_V6,
    FakeYooKassa,
    notification,
)
from tests.helpers import audit_clean, auth, scalar
from tests.servers import ServerGroup, run_servers

USER = 6201
COPIES = 10


@pytest.fixture(scope="module")
def kassa_servers(database_url: str, fake_yookassa: FakeYooKassa):
    def start(forwarded_allow_ips: str) -> ServerGroup:
        return run_servers(
            database_url,
            2,
            env={
                "YOOKASSA_SHOP_ID": SHOP_ID,
                "YOOKASSA_SECRET_KEY": SECRET_KEY,
                "YOOKASSA_API_URL": fake_yookassa.url,
                "FORWARDED_ALLOW_IPS": forwarded_allow_ips,
            },
        )

    return start


async def pending_topup(client: httpx.AsyncClient, kassa: FakeYooKassa, amount: int) -> str:
    response = await client.post(
        "/api/balance/topups",
        json={"amount_rub": amount, "email": "p@example.ru"},
        headers=auth(USER),
    )
    assert response.status_code == 201, response.text
    topup_id = response.json()["topup_id"]
    (payment,) = [p for p in kassa.payments.values() if p["metadata"]["topup_id"] == topup_id]
    return str(payment["id"])


async def test_ten_copies_of_a_notification_at_two_processes_credit_once(
    kassa_servers, kassa, engine
):
    with kassa_servers("127.0.0.1") as servers:
        clients = servers.clients()
        try:
            payment_id = await pending_topup(clients[0], kassa, 700)
            body = notification(kassa.succeed(payment_id))
            sources = [YOOKASSA_ADDRESS_V4, YOOKASSA_ADDRESS_V6]
            responses = await asyncio.gather(
                *(
                    clients[i % 2].post(
                        "/payments/yookassa",
                        json=body,
                        headers={"X-Forwarded-For": sources[(i // 2) % 2]},
                    )
                    for i in range(COPIES)
                )
            )
            assert [r.status_code for r in responses] == [200] * COPIES, responses[0].text
            outcomes = Counter(r.json()["outcome"] for r in responses)
            assert outcomes == {"credited": 1, "settled_before": COPIES - 1}
            # Straight from the proxy's own address, or naming no YooKassa address: 403.
            direct = await clients[1].post("/payments/yookassa", json=body)
            assert direct.status_code == 403
            spoofed = await clients[1].post(
                "/payments/yookassa", json=body, headers={"X-Forwarded-For": "10.1.2.3"}
            )
            assert spoofed.status_code == 403
        finally:
            for client in clients:
                await client.aclose()
    assert await scalar(engine, "SELECT balance FROM users WHERE id = :id", id=USER) == 700
    credits = "SELECT count(*) FROM ledger_entries WHERE topup_id IS NOT NULL"
    assert await scalar(engine, credits) == 1
    await audit_clean(engine)


async def test_forwarded_for_is_ignored_from_an_untrusted_proxy(kassa_servers, kassa, engine):
    with kassa_servers("10.9.9.9") as servers:  # not the address the requests come from
        clients = servers.clients()
        try:
            payment_id = await pending_topup(clients[0], kassa, 100)
            body = notification(kassa.succeed(payment_id))
            response = await clients[1].post(
                "/payments/yookassa", json=body, headers={"X-Forwarded-For": YOOKASSA_ADDRESS_V4}
            )
            assert response.status_code == 403
        finally:
            for client in clients:
                await client.aclose()
    assert await scalar(engine, "SELECT balance FROM users WHERE id = :id", id=USER) == 0
