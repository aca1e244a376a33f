"""Who hears of a new order, what the message says, and that a job exists only when its
order does."""

from __future__ import annotations

import asyncio
import html

import pytest
from sqlalchemy import text

from srochno.db import Database
from srochno.jobs import ORDER_CREATED, Delivery, Job, enqueue
from srochno.notifications.sender import with_bot_link
from srochno.orders.schemas import OrderCreate
from srochno.orders.service import create_order as create_order_in
from srochno.telegram.client import create_bot
from tests.helpers import ORDER, create_order
from tests.notifications.conftest import add_user, delivery_statuses, drained, queued_jobs

OWNER = 100


async def test_exactly_the_matching_subscribers_hear_of_an_order(
    client, engine, bot_api, start_worker
):
    await add_user(engine, OWNER)  # subscribed too, but it is their own order
    await add_user(engine, 1)  # matches
    await add_user(engine, 2, categories=("electrical", "plumbing"), cities=("тула", "москва"))
    await add_user(engine, 3, frequency="hourly")
    await add_user(engine, 4, frequency="off")
    await add_user(engine, 5, categories=("electrical",))
    await add_user(engine, 6, cities=("тула",))
    await add_user(engine, 7, banned=True)
    await add_user(engine, 8, blocked=True)
    await add_user(engine, 9, categories=(), cities=())
    await start_worker()

    await create_order(client, OWNER, city="  МОСКВА ")
    await bot_api.until("sendMessage", 2)
    await drained(engine)
    assert sorted(c.params["chat_id"] for c in bot_api.calls_of("sendMessage")) == [1, 2]


async def test_a_rolled_back_order_enqueues_nothing(app, engine, settings):
    await add_user(engine, OWNER)
    db: Database = app.state.db
    data = OrderCreate.model_validate(ORDER)

    class Rollback(Exception):
        pass

    try:
        async with db.transaction() as conn:
            await create_order_in(conn, settings, OWNER, data)
            assert await conn.fetchval("SELECT count(*) FROM pgqueuer") == 1  # written...
            raise Rollback
    except Rollback:
        pass
    assert await queued_jobs(engine) == 0  # ...and gone with the order
    async with engine.connect() as conn:
        assert (await conn.execute(text("SELECT count(*) FROM orders"))).scalar_one() == 0

    async with db.transaction() as conn:
        await create_order_in(conn, settings, OWNER, data)
    assert await queued_jobs(engine) == 1


async def test_the_message_is_escaped_has_the_order_button_and_never_the_contact(
    client, engine, bot_api, start_worker
):
    await add_user(engine, 1)
    await add_user(engine, 2, language_code="en")
    settings = await start_worker()
    description = "Трубу <прорвало> & течёт «сильно» " + "очень " * 60
    order = await create_order(client, OWNER, description=description)
    calls = await bot_api.until("sendMessage", 2)
    await drained(engine)
    by_chat = {c.params["chat_id"]: c.params for c in calls}
    for chat, params in by_chat.items():
        body = params["text"]
        assert params["parse_mode"] == "HTML"
        assert "&lt;прорвало&gt; &amp; течёт" in body
        assert "<прорвало>" not in body
        assert ORDER["contact"] not in body
        assert "999" not in body
        assert "Москва" in body
        assert "2 ₽" in body  # the take price
        assert ("Осталось 60 мин" if chat == 1 else "60 min left") in body
        shown = body.split("\n\n")[1]
        assert len(html.unescape(shown)) <= 300
        assert shown.endswith("…")
        button = params["reply_markup"]["inline_keyboard"][0][0]
        assert button["web_app"]["url"] == f"{settings.webapp_base_url}#/order/{order['id']}"
    assert "Сантехника" in by_chat[1]["text"]
    assert "Plumbing" in by_chat[2]["text"]


async def test_with_the_apps_direct_link_the_button_launches_the_app_on_the_order(
    client, engine, bot_api, start_worker
):
    """``TELEGRAM_APP_LINK`` set: the button is the ``startapp`` link, as a shared order's."""
    await add_user(engine, 1)
    await start_worker(telegram_app_link="https://t.me/srochno_bot/app")
    order = await create_order(client, OWNER)
    (call,) = await bot_api.until("sendMessage", 1)
    await drained(engine)
    (button,) = call.params["reply_markup"]["inline_keyboard"][0]
    assert button["url"] == f"https://t.me/srochno_bot/app?startapp=order_{order['id']}"
    assert "web_app" not in button


async def test_each_event_and_user_is_delivered_once(client, engine, bot_api, start_worker):
    """The fan-out redelivered (a second job of the same order, two workers): one message
    per subscriber all the same."""
    for user in (1, 2, 3):
        await add_user(engine, user)
    order = await create_order(client, OWNER)
    async with engine.begin() as conn:
        raw = await conn.get_raw_connection()
        for _ in range(3):
            await enqueue(raw.driver_connection, [Job(ORDER_CREATED, {"order_id": order["id"]})])
    await start_worker()
    await start_worker()
    await bot_api.until("sendMessage", 3)
    await drained(engine)
    await asyncio.sleep(0.3)
    assert sorted(c.params["chat_id"] for c in bot_api.calls_of("sendMessage")) == [1, 2, 3]
    assert set((await delivery_statuses(engine)).values()) == {"sent"}


async def test_an_order_no_longer_open_is_not_announced(client, engine, bot_api, start_worker):
    await add_user(engine, 1)
    order = await create_order(client, OWNER)
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE orders SET status = 'deleted' WHERE id = :id"), {"id": order["id"]}
        )
    await start_worker()
    await drained(engine)
    assert bot_api.calls_of("sendMessage") == []


@pytest.mark.parametrize("paid", [False, True])
async def test_paid_broadcast_is_asked_for_only_when_the_operator_allows_it(
    client, engine, bot_api, start_worker, paid
):
    await add_user(engine, 1)
    await start_worker(telegram_allow_paid_broadcast=paid)
    await create_order(client, OWNER)
    (call,) = await bot_api.until("sendMessage", 1)
    assert call.params.get("allow_paid_broadcast") in ((True, "true") if paid else (None,))


def test_the_send_rate_is_the_paid_one_only_with_paid_broadcast(settings):
    assert settings.send_rate == settings.telegram_max_messages_per_second
    paid = settings.model_copy(update={"telegram_allow_paid_broadcast": True})
    assert paid.send_rate == paid.telegram_paid_messages_per_second == 1000


async def test_a_digest_goes_without_links_when_telegram_does_not_say_the_bots_name(
    bot_api, settings
):
    bot_api.fail("getMe", status=500)
    bot = create_bot(settings)
    assert bot is not None
    orders = [{"id": "ord1", "category": "plumbing", "city": "Тула", "description": "d"}]
    delivery = Delivery("k", 1, "digest", {"period": "daily", "orders": orders, "total": 1})
    try:
        assert await with_bot_link(bot, delivery) == delivery.data
        bot_api.reset()
        linked = await with_bot_link(bot, delivery)
        assert linked["bot_username"] == bot_api.bot_username
    finally:
        await bot.session.close()
