"""Messages of the order's life (takes, the reminder, refunds, completion) and the digests,
with time moved by the clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from zoneinfo import ZoneInfo

from srochno import clock
from srochno.enums import AdminRole
from srochno.notifications.fanout import current_period, digest_now
from srochno.orders.auto_close import close_due_orders
from srochno.reviews.moderation import resolve_complaint
from srochno.staff.service import create_operator
from srochno.worker.ticker import schedule_digests, send_reminders
from tests.helpers import auth, create_order, recharge, take
from tests.notifications.conftest import add_user, delivery_statuses, drained

OWNER, EXEC1, EXEC2 = 100, 201, 202


async def test_the_client_hears_of_takes_and_is_reminded_then_takers_are_refunded(
    app, client, engine, bot_api, start_worker
):
    settings = await start_worker()
    order = await create_order(client, OWNER)
    for executor in (EXEC1, EXEC2):
        await recharge(client, executor, 10)
        assert (await take(client, order["id"], executor)).status_code == 200
    taken = await bot_api.until("sendMessage", 2, within=60)
    assert {c.params["chat_id"] for c in taken} == {OWNER}
    assert all("взял ваш заказ «Сантехника»" in c.params["text"] for c in taken)
    assert all(order["contact"] not in c.params["text"] for c in taken)

    db = app.state.db
    assert await send_reminders(db, settings) == 0  # too early
    before_close = settings.no_response_timeout - settings.reminder_before_close
    clock.advance(before_close + timedelta(seconds=1))
    assert await send_reminders(db, settings) == 1
    assert await send_reminders(db, settings) == 0  # once per order
    reminder = (await bot_api.until("sendMessage", 3, within=60))[-1]
    assert reminder.params["chat_id"] == OWNER
    assert "ещё не ответили" in reminder.params["text"]
    assert "Через 5 мин" in reminder.params["text"]

    clock.advance(settings.reminder_before_close)
    report = await close_due_orders(app.state.db, app.state.settings)
    assert report.refunds == 2
    refunds = (await bot_api.until("sendMessage", 5, within=60))[3:]
    assert sorted(c.params["chat_id"] for c in refunds) == [EXEC1, EXEC2]
    assert all("2 ₽ вернулись на баланс" in c.params["text"] for c in refunds)
    await drained(engine)
    assert len(bot_api.calls_of("sendMessage")) == 5


async def test_a_reminder_is_not_sent_once_the_client_answered(
    app, client, engine, bot_api, start_worker
):
    settings = await start_worker()
    order = await create_order(client, OWNER)
    await recharge(client, EXEC1, 10)
    assert (await take(client, order["id"], EXEC1)).status_code == 200
    response = await client.post(f"/api/orders/{order['id']}/respond", headers=auth(OWNER))
    assert response.status_code == 200
    clock.advance(settings.no_response_timeout - timedelta(seconds=30))
    assert await send_reminders(app.state.db, settings) == 0


async def test_takers_hear_the_order_was_completed(app, client, engine, bot_api, start_worker):
    await start_worker()
    order = await create_order(client, OWNER)
    for executor in (EXEC1, EXEC2):
        await recharge(client, executor, 10)
        assert (await take(client, order["id"], executor)).status_code == 200
    response = await client.post(
        f"/api/orders/{order['id']}/complete", json={"executor_id": EXEC1}, headers=auth(OWNER)
    )
    assert response.status_code == 200, response.text
    await drained(engine)
    await bot_api.until("sendMessage", 4, within=60)
    done = [c for c in bot_api.calls_of("sendMessage") if "выполненным" in c.params["text"]]
    assert sorted(c.params["chat_id"] for c in done) == [EXEC1, EXEC2]


async def test_digests_list_the_period_s_active_orders_once_per_user(
    app, client, engine, bot_api, start_worker, override_settings
):
    now = clock.now()
    boundary = current_period("hourly", now, app.state.settings).starts_at + timedelta(hours=1)
    local_hour = boundary.astimezone(ZoneInfo("Europe/Moscow")).hour
    settings = await start_worker(digest_hour=local_hour)
    override_settings(order_lifetime_minutes=600)
    await add_user(engine, 1, frequency="hourly")
    await add_user(engine, 2, frequency="daily", language_code="en")
    await add_user(engine, 3, frequency="hourly", categories=("electrical",))  # nothing
    await add_user(engine, OWNER, frequency="hourly")  # their own orders only
    for n in range(12):
        await create_order(client, OWNER, description=f"Заказ номер {n} <срочно>")
    await drained(engine)

    clock.advance(boundary + timedelta(minutes=1) - now)
    assert await schedule_digests(app.state.db, settings) == 2  # the hour's and the day's
    assert await schedule_digests(app.state.db, settings) == 0
    calls = await bot_api.until("sendMessage", 2, within=60)
    await drained(engine)
    by_chat = {c.params["chat_id"]: c.params["text"] for c in calls}
    assert set(by_chat) == {1, 2}
    assert by_chat[1].startswith("🗂 <b>Заказы за час</b>")
    assert by_chat[1].count("• ") == 10
    assert "Заказ номер 11 &lt;срочно&gt;" in by_chat[1]  # newest first, escaped
    assert "Заказ номер 1 " not in by_chat[1]
    # Each listed order links to the bot's /start order_<id> (no app link configured).
    assert by_chat[1].count(f'<a href="https://t.me/{bot_api.bot_username}?start=order_') == 10
    assert by_chat[1].endswith("…и ещё 2")
    assert by_chat[2].startswith("🗂 <b>Orders of the day</b>")
    assert by_chat[2].endswith("…and 2 more")

    async with app.state.db.connection() as conn:  # `srochno digest hourly` in the same hour
        assert await digest_now(conn, "hourly", settings) == 1  # user 1, queued again
    await drained(engine)
    await asyncio.sleep(0.3)
    assert len(bot_api.calls_of("sendMessage")) == 2
    assert sum(1 for s in (await delivery_statuses(engine)).values() if s == "sent") == 2

    clock.advance(timedelta(hours=1))  # the next hour: nothing new, no digest
    assert await schedule_digests(app.state.db, settings) == 1
    await drained(engine)
    await asyncio.sleep(0.3)
    assert len(bot_api.calls_of("sendMessage")) == 2


async def test_a_taker_whose_complaint_is_upheld_hears_of_the_refund(
    app, client, engine, bot_api, start_worker
):
    await start_worker()
    order = await create_order(client, OWNER)
    for executor in (EXEC1, EXEC2):
        await recharge(client, executor, 10)
        assert (await take(client, order["id"], executor)).status_code == 200
    await bot_api.until("sendMessage", 2, within=60)  # the client heard of both takes
    response = await client.post(
        "/api/reviews/executor",
        json={"order_id": order["id"], "reason": "no_response"},
        headers=auth(EXEC1),
    )
    assert response.status_code == 201, response.text

    async with app.state.db.transaction() as conn:
        admin = await create_operator(conn, "boss", AdminRole.admin, "a long passphrase")
        await resolve_complaint(
            conn, admin, response.json()["id"], "client never answered", refund_take=True
        )
    refunded = (await bot_api.until("sendMessage", 3, within=60))[2:]
    assert [c.params["chat_id"] for c in refunded] == [EXEC1]
    assert "2 ₽ вернулись на баланс" in refunded[0].params["text"]
    assert "Жалоба" in refunded[0].params["text"]
    await drained(engine)
    assert len(bot_api.calls_of("sendMessage")) == 3
