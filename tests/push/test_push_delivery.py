"""Web Push of new orders (SPEC §23) through a fake push service over TLS that verifies the
VAPID signature and decrypts each message with the device's own keys: a web executor's
devices hear of a matching order at once, once per device whatever the redeliveries; a
gone subscription (410) is removed; nothing private is ever pushed."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno.jobs import Delivery, deliver
from srochno.notifications.fanout import fan_out_order
from srochno.push.vapid import public_key, signer_of
from tests.fakepush import FakePushService
from tests.helpers import ORDER, auth, create_order
from tests.notifications.conftest import drained
from tests.push.conftest import VAPID_KEY, push_settings, subscribe, subscriptions, web_executor


async def push_deliveries(engine: AsyncEngine) -> list[tuple[str, int, int, str, int]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT event_key, user_id, device, status, attempts FROM notification_deliveries "
                "WHERE channel = 'push' ORDER BY device"
            )
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_a_new_order_reaches_each_device_of_a_web_executor(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    bot_api: Any,
    push: FakePushService,
    push_on: Any,
    start_worker: Any,
) -> None:
    settings = await start_worker(**push_settings())
    executor, headers = await web_executor(engine, push_on, "exec@example.com", lang="en")
    phone, laptop = push.new_device(), push.new_device()
    ids = [(await subscribe(client, headers, d)).json()["id"] for d in (phone, laptop)]
    # Not matching: another city; and a web account without devices.
    other, other_headers = await web_executor(
        engine, push_on, "far@example.com", cities=("казань",)
    )
    assert (await subscribe(client, other_headers, push.new_device())).status_code == 201
    await web_executor(engine, push_on, "nodevice@example.com")

    created = await client.post("/api/orders", json=ORDER, headers=auth(100))
    assert created.status_code == 201, created.text
    order = created.json()
    received = await push.wait_for(2)
    await drained(engine)

    assert {r.token for r in received} == {phone.token, laptop.token}
    expected_key = public_key(signer_of(VAPID_KEY))
    for push_message in received:
        assert push_message.vapid_key == expected_key
        assert push_message.claims["aud"] == push.origin
        assert push_message.claims["sub"] == settings.push_subject
        assert push_message.headers["ttl"] == str(settings.push_ttl_seconds)
        message = push_message.message
        assert message["title"] == "🔥 New order: Plumbing"
        assert "Москва" in message["body"]
        assert "Прорвало трубу" in message["body"]
        assert message["url"] == f"./#/order/{order['id']}"
        assert message["tag"] == f"order-{order['id']}"
        assert set(message) == {"title", "body", "url", "tag", "order_id"}
        assert "999" not in json.dumps(message), "no contact in a push"
    assert push.refused == []
    assert sorted(await push_deliveries(engine)) == sorted(
        (f"created:{order['id']}", executor, device, "sent", 1) for device in ids
    )
    assert bot_api.calls_of("sendMessage") == [], "a web account is never written to by the bot"
    assert other < 0


async def test_each_device_hears_once_whatever_the_redeliveries(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    push_on: Any,
    start_worker: Any,
) -> None:
    await start_worker(**push_settings())
    executor, headers = await web_executor(engine, push_on, "once@example.com")
    device = push.new_device()
    device_id = (await subscribe(client, headers, device)).json()["id"]
    order = (await client.post("/api/orders", json=ORDER, headers=auth(100))).json()
    await push.wait_for(1)
    await drained(engine)

    db = app.state.db
    async with db.connection() as conn:
        await fan_out_order(conn, order["id"])  # the fan-out run again (a crash, a retry)
        data = {
            "order_id": order["id"],
            "category": "plumbing",
            "city": "Москва",
            "description": ORDER["description"],
            "price": 2,
            "expires_at": order["expires_at"],
        }
        again = Delivery(f"created:{order['id']}", executor, "order_created", data)
        await deliver(conn, [again, again])  # the job queued twice more
    await drained(engine)
    assert len(push.received_by(device)) == 1
    assert push.calls_to(device) == 1
    assert await push_deliveries(engine) == [
        (f"created:{order['id']}", executor, device_id, "sent", 1)
    ]


async def test_a_push_in_flight_leaves_the_event_loop_free(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    push_on: Any,
    start_worker: Any,
) -> None:
    """The push library is synchronous: it runs off the event loop. The worker runs on this
    test's loop; the push service holds its answer until this test, on that loop, has seen
    the push arrive unanswered (a push sent on the loop would block it until the hold ran
    out, and this test would see it answered)."""
    await start_worker(**push_settings(push_timeout_seconds=30))  # longer than the hold
    _, headers = await web_executor(engine, push_on, "loop@example.com")
    device = push.new_device()
    assert (await subscribe(client, headers, device)).status_code == 201
    held = push.hold()
    assert (await client.post("/api/orders", json=ORDER, headers=auth(100))).status_code == 201
    for _ in range(1500):  # seen from the loop, while the push service holds its answer
        if push.calls_to(device):
            break
        await asyncio.sleep(0.02)
    assert push.calls_to(device) == 1
    assert push.received == []
    held.set()
    assert [r.token for r in await push.wait_for(1)] == [device.token]
    await drained(engine)
    assert [(status, attempts) for *_, status, attempts in await push_deliveries(engine)] == [
        ("sent", 1)
    ]


@pytest.mark.parametrize("status", [404, 410])
async def test_a_gone_subscription_is_removed_and_the_other_devices_still_hear(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    push_on: Any,
    start_worker: Any,
    status: int,
) -> None:
    """A push service's 404 or 410: the subscription is gone for good."""
    await start_worker(**push_settings())
    executor, headers = await web_executor(engine, push_on, "gone@example.com")
    old, new = push.new_device(), push.new_device()
    old_id = (await subscribe(client, headers, old)).json()["id"]
    new_id = (await subscribe(client, headers, new)).json()["id"]
    push.answer(old, status)
    order = (await client.post("/api/orders", json=ORDER, headers=auth(100))).json()
    await push.wait_for(1)
    await drained(engine)

    assert [r.token for r in push.received] == [new.token]
    assert await subscriptions(engine) == [(new_id, executor, new.endpoint)]
    assert sorted(await push_deliveries(engine)) == [
        (f"created:{order['id']}", executor, old_id, "gone", 1),
        (f"created:{order['id']}", executor, new_id, "sent", 1),
    ]
    # The next order is not even tried on the removed device.
    second = {**ORDER, "description": "Течёт кран на кухне, нужна замена"}
    assert (await client.post("/api/orders", json=second, headers=auth(101))).status_code == 201
    await push.wait_for(2)
    await drained(engine)
    assert push.calls_to(old) == 1


async def test_a_push_service_s_redirect_is_not_followed_nor_its_long_reply_read(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    push_on: Any,
    start_worker: Any,
) -> None:
    """The endpoint's host was checked when the device subscribed; where a redirect points
    never was: a 3xx is a refusal. A reply's body is never needed: a long one is not read."""
    await start_worker(**push_settings())
    executor, headers = await web_executor(engine, push_on, "odd@example.com")
    moved, chatty = push.new_device(), push.new_device()
    moved_id = (await subscribe(client, headers, moved)).json()["id"]
    chatty_id = (await subscribe(client, headers, chatty)).json()["id"]
    push.reply(moved, push.redirect)
    push.reply(chatty, push.long_reply)
    order = (await client.post("/api/orders", json=ORDER, headers=auth(100))).json()
    await drained(engine)
    assert not push.long_reply_read, "the delivery waited on the long reply's body"
    push.release()

    assert push.elsewhere == [], "the redirect was followed"
    assert push.calls_to(moved) == 1, "a redirect is not tried again"
    assert sorted(await push_deliveries(engine)) == [
        (f"created:{order['id']}", executor, moved_id, "rejected", 1),
        (f"created:{order['id']}", executor, chatty_id, "sent", 1),
    ]


async def test_a_failing_push_service_is_tried_again_and_heard_once(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    push_on: Any,
    start_worker: Any,
) -> None:
    await start_worker(**push_settings())
    executor, headers = await web_executor(engine, push_on, "retry@example.com")
    device = push.new_device()
    device_id = (await subscribe(client, headers, device)).json()["id"]
    push.answer(device, 503, 429)
    order = (await client.post("/api/orders", json=ORDER, headers=auth(100))).json()
    await push.wait_for(1)
    await drained(engine)
    assert push.calls_to(device) == 3
    assert len(push.received_by(device)) == 1
    # Sent once; at least the three tries the service saw (on a loaded machine a try can
    # time out before it reaches the service, and counts as a try).
    [(key, user, device_key, status, attempts)] = await push_deliveries(engine)
    assert (key, user, device_key) == (f"created:{order['id']}", executor, device_id)
    assert status == "sent"
    assert attempts >= 3


async def test_no_push_for_an_order_no_longer_open_nor_to_a_banned_executor(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    push_on: Any,
    start_worker: Any,
) -> None:
    executor, headers = await web_executor(engine, push_on, "late@example.com")
    banned, banned_headers = await web_executor(engine, push_on, "banned@example.com")
    device, banned_device = push.new_device(), push.new_device()
    device_id = (await subscribe(client, headers, device)).json()["id"]
    await subscribe(client, banned_headers, banned_device)
    cancelled = (await client.post("/api/orders", json=ORDER, headers=auth(100))).json()
    async with engine.begin() as conn:  # cancelled before any worker ran
        await conn.execute(
            text("UPDATE orders SET status = 'cancelled' WHERE id = :id"), {"id": cancelled["id"]}
        )
    async with app.state.db.connection() as conn:  # its message was queued before
        data = {
            "order_id": cancelled["id"],
            "category": "plumbing",
            "city": "Москва",
            "description": ORDER["description"],
            "price": 2,
            "expires_at": cancelled["expires_at"],
        }
        await deliver(
            conn, [Delivery(f"created:{cancelled['id']}", executor, "order_created", data)]
        )
    await start_worker(**push_settings())
    await drained(engine)
    assert push.received == []
    assert (f"created:{cancelled['id']}", executor, device_id, "skipped", 1) in (
        await push_deliveries(engine)
    )

    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET is_banned = true WHERE id = :id"), {"id": banned})
    second = {**ORDER, "description": "Течёт кран на кухне, нужна замена"}
    assert (await client.post("/api/orders", json=second, headers=auth(101))).status_code == 201
    await push.wait_for(1)
    await drained(engine)
    assert [r.token for r in push.received] == [device.token]
    assert push.calls_to(banned_device) == 0


async def test_an_on_duty_web_executor_hears_of_a_located_order_without_its_point(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    push_on: Any,
    start_worker: Any,
) -> None:
    await start_worker(**push_settings())
    executor, headers = await web_executor(engine, push_on, "duty@example.com", cities=())
    async with engine.begin() as conn:  # a work area 6 km south of the order, on duty
        await conn.execute(
            text(
                "UPDATE users SET area_lat = 55.70, area_lon = 37.62, area_radius_km = 10, "
                "on_duty_until = now() + interval '1 hour' WHERE id = :id"
            ),
            {"id": executor},
        )
    device = push.new_device()
    await subscribe(client, headers, device)
    spot = {"lat": 55.7558, "lon": 37.6173}
    order = await create_order(client, 100, location=spot)
    (received,) = await push.wait_for(1)
    await drained(engine)
    message = received.message
    assert message["order_id"] == order["id"]
    assert re.search(r"~\d+(\.\d+)? км", message["body"]), message["body"]
    sent = json.dumps(message)
    assert not re.search(r"55\.\d|37\.\d", sent), "no coordinates in a push"
    assert ORDER["contact"] not in sent
