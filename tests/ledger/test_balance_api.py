"""The balance and its ledger through the API: recharge, its Idempotency-Key, the list."""

from __future__ import annotations

from tests.helpers import audit_clean, auth, create_order, recharge, take

USER = 501
OWNER = 502


async def test_balance_starts_at_zero(client):
    response = await client.get("/api/balance", headers=auth(USER))
    assert response.status_code == 200
    assert response.json() == {"balance": 0, "currency": "RUB"}


async def test_recharge_credits_and_writes_one_ledger_row(client, engine):
    response = await client.post("/api/balance/recharge", json={"amount": 150}, headers=auth(USER))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["balance"] == 150
    entry = body["transaction"]
    assert (entry["type"], entry["amount"], entry["balance_after"]) == ("recharge", 150, 150)
    assert entry["method"] == "dev"
    assert (await client.get("/api/balance", headers=auth(USER))).json()["balance"] == 150
    await audit_clean(engine)


async def test_a_repeated_idempotency_key_credits_once(client, engine):
    headers = {**auth(USER), "Idempotency-Key": "top-up-1"}
    first = await client.post("/api/balance/recharge", json={"amount": 40}, headers=headers)
    again = await client.post("/api/balance/recharge", json={"amount": 40}, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert (await client.get("/api/balance", headers=auth(USER))).json()["balance"] == 40
    other = await client.post("/api/balance/recharge", json={"amount": 41}, headers=headers)
    assert other.status_code == 409
    assert other.json()["code"] == "idempotency_key_conflict"
    await audit_clean(engine)


async def test_recharge_is_refused_when_dev_recharge_is_off(client, override_settings):
    override_settings(dev_recharge=False)
    response = await client.post("/api/balance/recharge", json={"amount": 5}, headers=auth(USER))
    assert response.status_code == 403
    assert response.json()["code"] == "dev_recharge_disabled"
    assert (await client.get("/api/balance", headers=auth(USER))).json()["balance"] == 0


async def test_transactions_are_mine_newest_first_and_paginated(client, engine):
    await recharge(client, USER, 10)
    await recharge(client, USER, 20)
    await recharge(client, OWNER, 99)
    order = await create_order(client, OWNER)
    taken = await take(client, order["id"], USER)
    assert taken.status_code == 200, taken.text
    page = (await client.get("/api/balance/transactions?limit=2", headers=auth(USER))).json()
    assert page["total"] == 3
    assert [(e["type"], e["amount"], e["balance_after"]) for e in page["items"]] == [
        ("order_take", -2, 28),
        ("recharge", 20, 30),
    ]
    assert page["items"][0]["order_id"] == order["id"]
    rest = (
        await client.get("/api/balance/transactions?limit=2&offset=2", headers=auth(USER))
    ).json()
    assert [(e["type"], e["amount"]) for e in rest["items"]] == [("recharge", 10)]
    await audit_clean(engine)
