"""Each moderation action, seen through the public API; who may do what; the audit rows."""

from __future__ import annotations

from typing import Any

from tests.helpers import audit_clean, auth, create_order, recharge, scalar, take

CLIENT, EXEC1, EXEC2, OTHER = 100, 201, 202, 300


async def taken_order(client: Any, *executors: int) -> dict[str, Any]:
    order = await create_order(client, CLIENT)
    for executor in executors:
        await recharge(client, executor, 10)
        assert (await take(client, order["id"], executor)).status_code == 200
    return order


async def balance(client: Any, user_id: int) -> int:
    response = await client.get("/api/balance", headers=auth(user_id))
    assert response.status_code == 200, response.text
    value: int = response.json()["balance"]
    return value


async def audit_rows(engine: Any) -> list[dict[str, Any]]:
    async with engine.connect() as conn:
        from sqlalchemy import text

        rows = await conn.execute(
            text(
                "SELECT admin_name, action, target_type, target_id, reason, details "
                "FROM admin_actions ORDER BY id"
            )
        )
        return [dict(row._mapping) for row in rows]


async def test_ban_and_unban(client, mod, engine):
    assert (await client.get("/api/users/me", headers=auth(OTHER))).status_code == 200
    assert await mod.refused("users", OTHER, "ban", reason="   ") == (
        "Give a reason (up to 1000 characters)"
    )
    await mod.act("users", OTHER, "ban", reason="fake orders")
    refused = await client.get("/api/users/me", headers=auth(OTHER))
    assert refused.status_code == 403
    assert refused.json()["code"] == "user_banned"
    # A banned user offers no "ban" (the view refuses it before the service would).
    assert await mod.refused("users", OTHER, "ban", reason="again") == "Forbidden"

    await mod.act("users", OTHER, "unban", reason="appealed")
    assert (await client.get("/api/users/me", headers=auth(OTHER))).status_code == 200
    rows = await audit_rows(engine)
    assert [(r["admin_name"], r["action"], r["target_id"], r["reason"]) for r in rows] == [
        ("mod", "ban_user", str(OTHER), "fake orders"),
        ("mod", "unban_user", str(OTHER), "appealed"),
    ]


async def test_cancel_refunds_every_taker(client, mod, boss, engine):
    order = await taken_order(client, EXEC1, EXEC2)
    assert await balance(client, EXEC1) == 8
    # Refunding moves money: a moderator may not, whoever asks.
    refusal = await mod.refused("orders", order["id"], "cancel", reason="a scam")
    assert refusal == "Only an admin can move money"
    await boss.act("orders", order["id"], "cancel", reason="a scam")
    seen = (await client.get(f"/api/orders/{order['id']}", headers=auth(EXEC1))).json()
    assert seen["status"] == "cancelled"
    assert await balance(client, EXEC1) == 10
    assert await balance(client, EXEC2) == 10
    assert (await take(client, order["id"], OTHER)).json()["code"] == "order_not_active"
    listed = (await client.get("/api/orders")).json()
    assert order["id"] not in [item["id"] for item in listed["items"]]
    history = (await client.get("/api/balance/transactions", headers=auth(EXEC1))).json()
    assert history["items"][0]["type"] == "refund"
    assert await boss.refused("orders", order["id"], "cancel", reason="twice") == "Forbidden"
    [row] = await audit_rows(engine)
    assert (row["admin_name"], row["action"]) == ("boss", "cancel_order")
    assert row["details"]["refunded_rub"] == 4
    await audit_clean(engine)


async def test_a_moderator_cancels_what_refunds_nothing(client, mod, engine):
    order = await create_order(client, CLIENT)
    await mod.act("orders", order["id"], "cancel", reason="spam")
    [row] = await audit_rows(engine)
    assert (row["admin_name"], row["details"]["refunded_rub"]) == ("mod", 0)


async def test_a_responded_order_is_cancelled_without_refunds(client, mod, engine):
    order = await taken_order(client, EXEC1)
    response = await client.post(f"/api/orders/{order['id']}/respond", headers=auth(CLIENT))
    assert response.status_code == 200, response.text
    # The client answered: the taker got what was paid for; nothing to give back.
    await mod.act("orders", order["id"], "cancel", reason="closing a dispute")
    assert await balance(client, EXEC1) == 8
    [row] = await audit_rows(engine)
    assert row["details"] == {"refunded_takes": [], "refunded_rub": 0}
    await audit_clean(engine)


async def test_hidden_reviews_leave_the_list_and_the_rating(client, mod, engine):
    first = await taken_order(client, EXEC1)
    second = await create_order(client, CLIENT, description="Нужно заменить замок на двери")
    assert (await take(client, second["id"], EXEC1)).status_code == 200
    ids = []
    for order, rating in ((first, 5), (second, 2)):
        response = await client.post(
            "/api/reviews/client",
            json={"order_id": order["id"], "executor_id": EXEC1, "rating": rating},
            headers=auth(CLIENT),
        )
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    profile = (await client.get(f"/api/users/{EXEC1}")).json()
    assert (profile["average_rating"], profile["reviews_count"]) == (3.5, 2)

    await mod.act("reviews", ids[1], "hide", reason="insults")
    profile = (await client.get(f"/api/users/{EXEC1}")).json()
    assert (profile["average_rating"], profile["reviews_count"]) == (5.0, 1)
    public = (await client.get("/api/reviews", params={"executor_id": EXEC1})).json()
    assert [item["id"] for item in public["items"]] == [ids[0]]
    assert public["total"] == 1
    assert (await client.get("/api/reviews", params={"rating": 2})).json()["total"] == 0
    assert await mod.refused("reviews", ids[1], "hide", reason="again") == "Forbidden"

    await mod.act("reviews", ids[1], "unhide", reason="reviewed again")
    profile = (await client.get(f"/api/users/{EXEC1}")).json()
    assert (profile["average_rating"], profile["reviews_count"]) == (3.5, 2)
    assert (await client.get("/api/reviews")).json()["total"] == 2
    sums = "SELECT rating_sum FROM users WHERE id = :id"
    assert await scalar(engine, sums, id=EXEC1) == 7


async def complaint_of(client: Any, order: dict[str, Any], author: int) -> int:
    response = await client.post(
        "/api/reviews/executor",
        json={"order_id": order["id"], "reason": "no_response"},
        headers=auth(author),
    )
    assert response.status_code == 201, response.text
    complaint_id: int = response.json()["id"]
    return complaint_id


async def test_only_an_admin_refunds_a_take_when_resolving_a_complaint(
    client, mod, boss, engine, app
):
    order = await taken_order(client, EXEC1, EXEC2)
    first = await complaint_of(client, order, EXEC1)
    second = await complaint_of(client, order, EXEC2)

    assert await mod.refused("complaints", first, "resolve", reason="ok", refund="on") == (
        "Only an admin can move money"
    )
    assert await balance(client, EXEC1) == 8
    assert (
        await scalar(engine, "SELECT resolved_at FROM complaints WHERE id = :id", id=first) is None
    )

    await boss.act("complaints", first, "resolve", reason="client never answered", refund="on")
    assert await balance(client, EXEC1) == 10
    await mod.act("complaints", second, "resolve", reason="not confirmed")
    assert await balance(client, EXEC2) == 8
    assert await boss.refused("complaints", second, "resolve", reason="x") == "Forbidden"
    rows = await audit_rows(engine)
    assert [(r["admin_name"], r["action"], r["target_id"]) for r in rows] == [
        ("boss", "resolve_complaint", str(first)),
        ("mod", "resolve_complaint", str(second)),
    ]
    assert rows[0]["details"]["refunded_rub"] == 2
    assert "refunded_rub" not in rows[1]["details"]
    await audit_clean(engine)

    # The no-response close later refunds only the take not refunded yet.
    from datetime import timedelta

    from srochno import clock
    from srochno.orders.auto_close import close_due_orders

    clock.advance(timedelta(minutes=16))
    report = await close_due_orders(app.state.db, app.state.settings)
    assert report.refunds == 1
    assert await balance(client, EXEC1) == 10
    assert await balance(client, EXEC2) == 10
    await audit_clean(engine)


async def test_balance_adjustments_are_for_admins_and_never_below_zero(client, mod, boss, engine):
    await recharge(client, OTHER, 5)
    assert await mod.refused("users", OTHER, "adjust_balance", amount="100", reason="gift") == (
        "Forbidden"
    )
    assert await balance(client, OTHER) == 5
    assert await boss.refused("users", OTHER, "adjust_balance", amount="50", reason="") == (
        "Give a reason (up to 1000 characters)"
    )
    assert await boss.refused("users", OTHER, "adjust_balance", amount="1.5", reason="x") == (
        "The amount is a whole number of rubles"
    )
    assert await boss.refused("users", OTHER, "adjust_balance", amount="-6", reason="x") == (
        "The adjustment would take the balance below zero"
    )
    await boss.act("users", OTHER, "adjust_balance", amount="-5", reason="chargeback")
    assert await balance(client, OTHER) == 0
    await boss.act("users", OTHER, "adjust_balance", amount="20", reason="goodwill")
    assert await balance(client, OTHER) == 20
    history = (await client.get("/api/balance/transactions", headers=auth(OTHER))).json()
    assert [(t["type"], t["amount"]) for t in history["items"][:2]] == [
        ("adjustment", 20),
        ("adjustment", -5),
    ]
    rows = await audit_rows(engine)
    assert [(r["action"], r["details"]["amount"], r["reason"]) for r in rows] == [
        ("adjust_balance", -5, "chargeback"),
        ("adjust_balance", 20, "goodwill"),
    ]
    await audit_clean(engine)


async def test_a_moderator_sees_no_money_actions_and_lists_are_read_only(mod, boss, client):
    await recharge(client, OTHER, 1)
    mod_page = await mod.client.get("/admin/users/list")
    boss_page = await boss.client.get("/admin/users/list")
    assert mod_page.status_code == boss_page.status_code == 200
    assert "adjust_balance" not in mod_page.text
    assert "adjust_balance" in boss_page.text
    for browser in (mod, boss):
        assert (await browser.client.get("/admin/ledger/create")).status_code == 403
        deleted = await browser.client.post(
            "/admin/_api/ledger/action",
            params={"name": "delete", "pks": "1"},
            headers={"X-CSRFToken": browser.csrf},
        )
        assert deleted.status_code == 400
    assert await balance(client, OTHER) == 1


async def test_every_list_and_detail_page_renders(client, settings, mod, boss, engine):
    order = await taken_order(client, EXEC1)
    charge_pk = await paid_charge(client, settings, engine, OTHER, 3)
    response = await client.post(
        "/api/reviews/client",
        json={"order_id": order["id"], "executor_id": EXEC1, "rating": 4},
        headers=auth(CLIENT),
    )
    review_id = response.json()["id"]
    complaint_id = await complaint_of(client, order, EXEC1)
    await mod.act("reviews", review_id, "hide", reason="a test")
    take_id = await scalar(engine, "SELECT id FROM takes LIMIT 1")
    entry_id = await scalar(engine, "SELECT id FROM ledger_entries LIMIT 1")
    action_id = await scalar(engine, "SELECT id FROM admin_actions LIMIT 1")
    pages = {
        "users": EXEC1,
        "orders": order["id"],
        "takes": take_id,
        "reviews": review_id,
        "complaints": complaint_id,
        "ledger": entry_id,
        "admin-actions": action_id,
        "payments": await payment_of(engine, charge_pk),
        "charges": charge_pk,
    }
    for browser in (mod, boss):
        for key, pk in pages.items():
            listed = await browser.client.get(f"/admin/{key}/list")
            assert listed.status_code == 200, (key, listed.text[:300])
            detail = await browser.client.get(f"/admin/{key}/detail", params={"pk": str(pk)})
            assert detail.status_code == 200, (key, detail.text[:300])
    contact = await boss.client.get("/admin/orders/detail", params={"pk": order["id"]})
    assert ORDER_CONTACT in contact.text  # operators see the contact, to judge complaints


ORDER_CONTACT = "+7 999 123-45-67"


CHARGE_PK = "SELECT id FROM payment_charges WHERE telegram_payment_charge_id = :charge"


async def paid_charge(client: Any, settings: Any, engine: Any, user_id: int, stars: int) -> int:
    from tests.payments.support import create_invoice, pay

    invoice = await create_invoice(client, user_id, stars)
    charge = f"charge-admin-{invoice['payment_id']}"
    await pay(client, settings, user_id, invoice, charge)
    pk: int = await scalar(engine, CHARGE_PK, charge=charge)
    return pk


async def test_an_admin_refunds_a_stars_payment(client, settings, bot_api, mod, boss, engine):
    from tests.payments.support import status_of

    pk = await paid_charge(client, settings, engine, OTHER, 20)
    assert await balance(client, OTHER) == 20

    # A moderator neither sees the action nor may call it.
    mod_page = await mod.client.get("/admin/charges/list")
    boss_page = await boss.client.get("/admin/charges/list")
    assert mod_page.status_code == boss_page.status_code == 200
    assert "Refund the payment" not in mod_page.text
    assert "Refund the payment" in boss_page.text
    assert await mod.refused("charges", pk, "refund", reason="asked") == "Forbidden"
    assert await boss.refused("charges", pk, "refund", reason=" ") == (
        "Give a reason (up to 1000 characters)"
    )
    assert bot_api.calls_of("refundStarPayment") == []

    await boss.act("charges", pk, "refund", reason="bought by mistake")
    (call,) = bot_api.calls_of("refundStarPayment")
    charge_id = f"charge-admin-{await payment_of(engine, pk)}"
    assert call.params == {"user_id": OTHER, "telegram_payment_charge_id": charge_id}
    assert await balance(client, OTHER) == 0
    assert await status_of(client, OTHER, await payment_of(engine, pk)) == "refunded"
    history = (await client.get("/api/balance/transactions", headers=auth(OTHER))).json()
    assert [(t["type"], t["amount"]) for t in history["items"][:1]] == [("payment_refund", -20)]
    (row,) = await audit_rows(engine)
    assert (row["admin_name"], row["action"], row["target_type"], row["target_id"]) == (
        "boss",
        "refund_payment",
        "payment_charge",
        str(pk),
    )
    assert row["reason"] == "bought by mistake"
    assert row["details"] == {
        "telegram_payment_charge_id": charge_id,
        "user_id": OTHER,
        "amount": -20,
        "balance_after": 0,
    }

    # A refunded charge offers no refund; Telegram is not called again.
    assert await boss.refused("charges", pk, "refund", reason="again") == "Forbidden"
    assert len(bot_api.calls_of("refundStarPayment")) == 1
    await audit_clean(engine)


async def payment_of(engine: Any, pk: int) -> str:
    payment: str = await scalar(
        engine, "SELECT payment_id FROM payment_charges WHERE id = :id", id=pk
    )
    return payment


async def test_a_refund_the_balance_no_longer_covers_is_refused(
    client, settings, bot_api, boss, engine
):
    pk = await paid_charge(client, settings, engine, EXEC1, 2)
    order = await create_order(client, CLIENT)
    assert (await take(client, order["id"], EXEC1)).status_code == 200
    message = await boss.refused("charges", pk, "refund", reason="asked")
    assert "no longer covers" in message
    assert bot_api.calls_of("refundStarPayment") == []
    assert await audit_rows(engine) == []
    await audit_clean(engine)


async def test_a_refund_telegram_refuses_changes_nothing(client, settings, bot_api, boss, engine):
    pk = await paid_charge(client, settings, engine, EXEC2, 4)
    bot_api.fail("refundStarPayment", status=400, description="Bad Request: CHARGE_NOT_FOUND")
    message = await boss.refused("charges", pk, "refund", reason="asked")
    assert "CHARGE_NOT_FOUND" in message
    assert await balance(client, EXEC2) == 4
    assert await audit_rows(engine) == []
    assert (
        await scalar(engine, "SELECT refunded_at FROM payment_charges WHERE id = :id", id=pk)
        is None
    )
    await audit_clean(engine)


async def test_an_admin_refunds_a_topup(client, topups_on, kassa, mod, boss, engine, from_yookassa):
    from tests.fakeyookassa import notification
    from tests.payments.test_topups import new_topup, status_of

    topup, payment_id = await new_topup(client, kassa, user_id=OTHER, amount=250)
    paid = kassa.succeed(payment_id)
    assert (
        await from_yookassa.post("/payments/yookassa", json=notification(paid))
    ).status_code == 200
    pk = topup["topup_id"]
    assert "Refund the top-up" not in (await mod.client.get("/admin/topups/list")).text
    assert "Refund the top-up" in (await boss.client.get("/admin/topups/list")).text
    assert await mod.refused("topups", pk, "refund", reason="asked") == "Forbidden"
    await boss.act("topups", pk, "refund", reason="paid twice by mistake")
    assert len(kassa.calls_of("POST", "/v3/refunds")) == 1
    assert await balance(client, OTHER) == 0
    assert await status_of(client, pk, OTHER) == "refunded"
    (row,) = await audit_rows(engine)
    assert (row["action"], row["target_type"], row["target_id"]) == ("refund_topup", "topup", pk)
    assert row["details"]["amount"] == -250
    assert await boss.refused("topups", pk, "refund", reason="again") == "Forbidden"
    await audit_clean(engine)
