"""Orders through the HTTP API: create, list, read, edit, delete, and the take's rules."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from srochno import clock
from tests.helpers import ORDER, audit_clean, auth, create_order, recharge, scalar, take

OWNER, EXEC1, EXEC2, EXEC3, EXEC4 = 100, 201, 202, 203, 204


async def test_create_returns_201_with_location_and_server_time(client):
    response = await client.post("/api/orders", json=ORDER, headers=auth(OWNER))
    assert response.status_code == 201
    body = response.json()
    assert response.headers["Location"] == f"/api/orders/{body['id']}"
    assert len(body["id"]) == 12
    assert body["status"] == "active"
    assert body["contact"] == ORDER["contact"]
    assert body["contact_hidden"] is False
    assert body["is_owner"] is True
    assert body["city_locked"] is True
    assert body["executors_count"] == 0
    assert body["max_executors"] == 3
    assert body["slots_left"] == 3
    assert body["take_price"] == 2
    assert body["responded_at"] is None
    created = datetime.fromisoformat(body["created_at"])
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires - created == timedelta(minutes=60)
    assert body["seconds_left"] == 3600
    assert body["minutes_left"] == 60
    assert datetime.fromisoformat(body["server_time"]).tzinfo is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "unknown"),
        ("description", "short"),
        ("description", "x" * 2001),
        ("city", "M"),
        ("city", "x" * 65),
        ("contact", "ab"),
        ("contact", "x" * 129),
        ("description", "Нужен мастер, ноль байт \x00 в тексте"),
    ],
)
async def test_create_validation(client, field, value):
    response = await client.post("/api/orders", json={**ORDER, field: value}, headers=auth(OWNER))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    "description",
    [
        "Нужен сантехник, звоните +7 999 123-45-67",
        "Пишите в телеграм @master_vasya срочно",
        "Подробности тут: t.me/master_vasya пишите",
        "Смотрите фото на https://example.com/photo",
    ],
)
async def test_contact_in_description_is_refused(client, description):
    response = await client.post(
        "/api/orders", json={**ORDER, "description": description}, headers=auth(OWNER)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "contact_in_description"


async def test_ordinary_numbers_pass(client):
    await create_order(client, OWNER, description="2 крана, 3 этаж, до 1500 ₽")


async def test_create_needs_auth(client):
    response = await client.post("/api/orders", json=ORDER)
    assert response.status_code == 401
    assert response.json()["code"] == "auth_missing"


async def test_invalid_json_is_422(client):
    response = await client.post(
        "/api/orders",
        content=b"{not json",
        headers={**auth(OWNER), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    response = await client.post(
        "/api/orders",
        content=b'{"city": "\xff\xfe"}',
        headers={**auth(OWNER), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_list_is_public_without_contacts_newest_first(client):
    first = await create_order(client, OWNER)
    clock.advance(timedelta(seconds=1))
    second = await create_order(client, OWNER, category="locksmith", city="Казань")
    response = await client.get("/api/orders")
    body = response.json()
    assert body["total"] == 2
    assert body["limit"] == 20
    assert body["offset"] == 0
    assert [o["id"] for o in body["items"]] == [second["id"], first["id"]]
    assert all(o["contact"] is None and o["contact_hidden"] for o in body["items"])


async def test_list_filters_city_trimmed_case_insensitive_and_category(client):
    moscow = await create_order(client, OWNER, city="Москва")
    await create_order(client, OWNER, city="Казань")
    await create_order(client, OWNER, city="москва", category="locksmith")
    response = await client.get("/api/orders", params={"city": "  МОСКВА ", "category": "plumbing"})
    assert [o["id"] for o in response.json()["items"]] == [moscow["id"]]
    response = await client.get("/api/orders", params={"city": "москва"})
    assert response.json()["total"] == 2


async def test_list_pagination_and_limit_cap(client):
    for _ in range(5):
        await create_order(client, OWNER)
    page = (await client.get("/api/orders", params={"limit": 2, "offset": 4})).json()
    assert page["total"] == 5
    assert len(page["items"]) == 1
    assert (await client.get("/api/orders", params={"limit": 101})).status_code == 422
    assert (await client.get("/api/orders", params={"offset": -1})).status_code == 422


async def test_expired_order_leaves_the_list_at_once(client):
    await create_order(client, OWNER)
    clock.advance(timedelta(minutes=60))
    assert (await client.get("/api/orders")).json()["total"] == 0


async def test_get_hides_contact_from_strangers(client):
    order = await create_order(client, OWNER)
    anonymous = (await client.get(f"/api/orders/{order['id']}")).json()
    assert anonymous["contact"] is None
    assert anonymous["contact_hidden"] is True
    assert anonymous["is_owner"] is False
    stranger = (await client.get(f"/api/orders/{order['id']}", headers=auth(EXEC1))).json()
    assert stranger["contact"] is None
    assert stranger["taken_by_me"] is False
    owner = (await client.get(f"/api/orders/{order['id']}", headers=auth(OWNER))).json()
    assert owner["contact"] == ORDER["contact"]


async def test_unknown_and_malformed_ids(client):
    assert (await client.get("/api/orders/doesnotexist")).json()["code"] == "order_not_found"
    assert (await client.get("/api/orders/bad%00id")).status_code == 422


async def test_edit_by_owner(client):
    order = await create_order(client, OWNER)
    response = await client.put(
        f"/api/orders/{order['id']}",
        json={
            "description": "Нужен электрик, нет света в квартире",
            "category": "electrical",
            "contact": "Позвонить Ивану",
            "city": " москва ",
        },
        headers=auth(OWNER),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["category"] == "electrical"
    assert body["contact"] == "Позвонить Ивану"
    assert body["city"] == "Москва"


async def test_edit_rules(client):
    order = await create_order(client, OWNER)
    url = f"/api/orders/{order['id']}"
    not_owner = await client.put(url, json={"category": "other"}, headers=auth(EXEC1))
    assert (not_owner.status_code, not_owner.json()["code"]) == (403, "not_owner")
    city = await client.put(url, json={"city": "Казань"}, headers=auth(OWNER))
    assert (city.status_code, city.json()["code"]) == (409, "city_locked")
    contact = await client.put(
        url, json={"description": "звоните 8 999 123 45 67 сразу"}, headers=auth(OWNER)
    )
    assert contact.json()["code"] == "contact_in_description"
    await recharge(client, EXEC1, 10)
    assert (await take(client, order["id"], EXEC1)).status_code == 200
    taken = await client.put(url, json={"category": "other"}, headers=auth(OWNER))
    assert (taken.status_code, taken.json()["code"]) == (409, "order_already_taken")
    deleted = await client.delete(url, headers=auth(OWNER))
    assert (deleted.status_code, deleted.json()["code"]) == (409, "order_already_taken")


async def test_edit_after_expiry_is_not_active(client):
    order = await create_order(client, OWNER)
    clock.advance(timedelta(minutes=61))
    response = await client.put(
        f"/api/orders/{order['id']}", json={"category": "other"}, headers=auth(OWNER)
    )
    assert (response.status_code, response.json()["code"]) == (409, "order_not_active")


async def test_delete(client):
    order = await create_order(client, OWNER)
    url = f"/api/orders/{order['id']}"
    assert (await client.delete(url, headers=auth(EXEC1))).json()["code"] == "not_owner"
    assert (await client.delete(url, headers=auth(OWNER))).status_code == 204
    assert (await client.get(url)).status_code == 404
    assert (await client.get(url, headers=auth(EXEC1))).json()["code"] == "order_not_found"
    assert (await client.get(url, headers=auth(OWNER))).json()["status"] == "deleted"
    await recharge(client, EXEC1, 10)
    response = await take(client, order["id"], EXEC1)
    assert (response.status_code, response.json()["code"]) == (404, "order_not_found")
    assert (await client.delete(url, headers=auth(OWNER))).json()["code"] == "order_not_active"
    assert (await client.get("/api/orders")).json()["total"] == 0


async def test_take_shows_contact_and_charges(client, engine):
    order = await create_order(client, OWNER)
    await recharge(client, EXEC1, 5)
    response = await take(client, order["id"], EXEC1)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["replayed"] is False
    assert body["balance"] == 3
    assert body["take"]["price_paid"] == 2
    assert body["order"]["contact"] == ORDER["contact"]
    assert body["order"]["taken_by_me"] is True
    assert body["order"]["executors_count"] == 1
    assert body["order"]["slots_left"] == 2
    seen = (await client.get(f"/api/orders/{order['id']}", headers=auth(EXEC1))).json()
    assert seen["contact"] == ORDER["contact"]
    assert seen["taken_by_me"] is True
    ledger = (await client.get("/api/balance/transactions", headers=auth(EXEC1))).json()
    assert [(t["type"], t["amount"], t["balance_after"]) for t in ledger["items"]] == [
        ("order_take", -2, 3),
        ("recharge", 5, 5),
    ]
    assert ledger["items"][0]["order_id"] == order["id"]
    await audit_clean(engine)


async def test_take_replay_is_free_even_when_full_or_expired(client, engine):
    order = await create_order(client, OWNER)
    for executor in (EXEC1, EXEC2, EXEC3):
        await recharge(client, executor, 10)
        assert (await take(client, order["id"], executor)).status_code == 200
    replay = await take(client, order["id"], EXEC1)
    assert replay.status_code == 200
    assert replay.json()["replayed"] is True
    assert replay.json()["balance"] == 8
    clock.advance(timedelta(minutes=61))
    late = await take(client, order["id"], EXEC2)
    assert late.json()["replayed"] is True
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries WHERE type='order_take'") == 3
    await audit_clean(engine)


async def test_take_errors(client, override_settings):
    order = await create_order(client, OWNER)
    own = await take(client, order["id"], OWNER)
    assert (own.status_code, own.json()["code"]) == (403, "own_order")
    poor = await take(client, order["id"], EXEC1)
    assert poor.status_code == 402
    assert poor.json() == {
        "detail": "Insufficient balance. Need 2₽",
        "code": "insufficient_balance",
    }
    for executor in (EXEC1, EXEC2, EXEC3, EXEC4):
        await recharge(client, executor, 10)
    for executor in (EXEC1, EXEC2, EXEC3):
        assert (await take(client, order["id"], executor)).status_code == 200
    full = await take(client, order["id"], EXEC4)
    assert full.status_code == 409
    assert full.json() == {"detail": "Maximum 3 executors reached", "code": "order_full"}
    missing = await take(client, "nosuchorder1", EXEC4)
    assert (missing.status_code, missing.json()["code"]) == (404, "order_not_found")


async def test_price_and_cap_follow_settings(client, override_settings):
    override_settings(take_price=5, max_executors_per_order=1)
    order = await create_order(client, OWNER)
    assert (order["take_price"], order["max_executors"]) == (5, 1)
    await recharge(client, EXEC1, 4)
    poor = await take(client, order["id"], EXEC1)
    assert poor.json()["detail"] == "Insufficient balance. Need 5₽"
    await recharge(client, EXEC1, 1)
    ok = await take(client, order["id"], EXEC1)
    assert ok.json()["balance"] == 0
    await recharge(client, EXEC2, 5)
    assert (await take(client, order["id"], EXEC2)).json()[
        "detail"
    ] == "Maximum 1 executors reached"


async def test_expired_order_cannot_be_taken_before_the_job_runs(client, engine):
    order = await create_order(client, OWNER)
    await recharge(client, EXEC1, 10)
    clock.advance(timedelta(minutes=60))
    response = await take(client, order["id"], EXEC1)
    assert (response.status_code, response.json()["code"]) == (409, "order_expired")
    assert await scalar(engine, "SELECT status FROM orders") == "active"  # job has not run
    assert (await client.get(f"/api/orders/{order['id']}")).json()["status"] == "expired"


async def test_idempotency_key_on_take(client):
    first = await create_order(client, OWNER)
    second = await create_order(client, OWNER)
    await recharge(client, EXEC1, 10)
    key = {"Idempotency-Key": "take-1"}
    assert (await take(client, first["id"], EXEC1, **key)).json()["replayed"] is False
    assert (await take(client, first["id"], EXEC1, **key)).json()["replayed"] is True
    reused = await take(client, second["id"], EXEC1, **key)
    assert (reused.status_code, reused.json()["code"]) == (409, "idempotency_key_conflict")


async def test_my_orders_and_my_takes(client):
    order = await create_order(client, OWNER)
    other = await create_order(client, OWNER)
    await client.delete(f"/api/orders/{other['id']}", headers=auth(OWNER))
    await recharge(client, EXEC1, 10)
    await take(client, order["id"], EXEC1)
    mine = (await client.get("/api/users/me/orders", headers=auth(OWNER))).json()
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    assert mine["items"][0]["contact"] == ORDER["contact"]
    takes = (await client.get("/api/users/me/takes", headers=auth(EXEC1))).json()
    assert takes["total"] == 1
    assert takes["items"][0]["order"]["contact"] == ORDER["contact"]
    assert takes["items"][0]["take"]["price_paid"] == 2
