"""Ten copies of one successful payment at once, over two ``srochno serve`` processes:
the charge is unique in PostgreSQL, so it is credited once whatever the interleaving."""

from __future__ import annotations

import asyncio

from tests.faults.support import server_logs_on_failure
from tests.helpers import audit_clean, auth, scalar
from tests.servers import run_servers
from tests.telegram_updates import successful_payment

PAYER = 5401
COPIES = 10
DISTINCT_UPDATES = 5


async def test_ten_copies_at_two_servers_credit_once(database_url, settings, bot_api, engine):
    # The servers have the same bot token, so they derive the same webhook secret.
    secret = {"X-Telegram-Bot-Api-Secret-Token": settings.webhook_secret}
    env = {"TELEGRAM_API_URL": bot_api.url, "DB_POOL_SIZE": "5"}
    with run_servers(database_url, 2, env=env) as servers, server_logs_on_failure(servers):
        clients = servers.clients()
        try:
            response = await clients[0].post(
                "/api/balance/invoices", json={"stars": 77}, headers=auth(PAYER)
            )
            assert response.status_code == 201, response.text
            payment_id = response.json()["payment_id"]
            # Redeliveries of one update, and new updates carrying the same charge.
            updates = [
                successful_payment(
                    PAYER, payment_id, 77, "charge-race", update_id=9000 + i % DISTINCT_UPDATES
                )
                for i in range(COPIES)
            ]
            responses = await asyncio.gather(
                *(
                    clients[i % 2].post("/telegram/webhook", json=update, headers=secret)
                    for i, update in enumerate(updates)
                )
            )
            assert [r.status_code for r in responses] == [200] * COPIES, [r.text for r in responses]
            status = await clients[1].get(
                f"/api/balance/invoices/{payment_id}", headers=auth(PAYER)
            )
            assert status.json()["status"] == "paid"
        finally:
            for client in clients:
                await client.aclose()
    assert await scalar(engine, "SELECT balance FROM users WHERE id = :id", id=PAYER) == 77
    assert await scalar(engine, "SELECT count(*) FROM payment_charges") == 1
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 1
    assert await scalar(engine, "SELECT count(*) FROM telegram_updates") == DISTINCT_UPDATES
    assert len(bot_api.calls_of("sendMessage")) == 1  # one confirmation
    await audit_clean(engine)
