"""Web Push in the browser (SPEC §23): a web executor signed in by e-mail turns notifications
on from the page, the page subscribes this device with the server's VAPID key and hands the
subscription to the server; a matching order reaches the device through a fake push service
that checks the signature and decrypts the message; the service worker shows it, a click
opens the order in the app (and never another site), a renewed subscription replaces the old
one on the server, and turning notifications off removes the device.

Headless Chromium has no push service to subscribe with, so the page's ``PushManager`` hands
out the fake service's device (its keys made here, as a browser makes them); everything else
is the real page, the real service worker and a real ``srochno serve`` with its worker. The
worker's events are dispatched by hand (a push service never calls this machine's browser):
``waitUntil`` is kept and awaited as the browser would."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator
from typing import Any

import asyncpg
import httpx
import pytest
from playwright.async_api import expect

from srochno.config import new_vapid_private_key
from srochno.db import plain_url
from srochno.push.vapid import b64url_decode, public_key, signer_of
from tests.e2e.test_journey import CONTACT
from tests.e2e.test_web_sign_in import sign_in_by_email
from tests.fakepush import FakePushService
from tests.helpers import ORDER, auth, until
from tests.mailserver import MailServer
from tests.servers import run_servers

ADDRESS = "web.executor@example.com"
VAPID_KEY = new_vapid_private_key()
CSRF = {"X-Srochno-CSRF": "1"}

# The page's PushManager, as a browser with a push service would behave: one subscription per
# origin, made with the key the page passes, kept (here in localStorage) until unsubscribed.
PUSH_MANAGER = """
(() => {
  const stub = window.__pushStub = { keys: [], unsubscribed: 0 };
  const device = %s;
  const key = 'srochno-push-stub';
  const subscription = (json, options) => ({
    endpoint: json.endpoint,
    expirationTime: null,
    options,
    toJSON: () => json,
    unsubscribe: async () => { localStorage.removeItem(key); stub.unsubscribed += 1; return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    stub.keys.push(btoa(String.fromCharCode(...new Uint8Array(options.applicationServerKey))));
    localStorage.setItem(key, JSON.stringify(device));
    return subscription(device, options);
  };
  PushManager.prototype.getSubscription = async function () {
    const kept = localStorage.getItem(key);
    return kept ? subscription(JSON.parse(kept), { userVisibleOnly: true }) : null;
  };
})();
"""
KEPT = "(json) => localStorage.setItem('srochno-push-stub', JSON.stringify(json))"
"""The browser renewed the page's subscription (what ``getSubscription`` gives from now on)."""


def in_worker(body: str) -> str:
    """A function for the service worker, with ``run(type, fields)``: dispatches an event to
    the worker's own listeners (``fields`` become its properties) and awaits what it asked
    the browser to wait for. ``arg``: the evaluation's argument."""
    return f"""async (arg) => {{
        const run = async (event, fields) => {{
            const waits = [];
            Object.defineProperty(event, 'waitUntil', {{ value: (p) => waits.push(p) }});
            for (const [name, value] of Object.entries(fields)) {{
                Object.defineProperty(event, name, {{ value }});
            }}
            self.dispatchEvent(event);
            await Promise.all(waits);
        }};
        const opened = [];
        self.clients.openWindow = async (url) => {{ opened.push(url); return null; }};
        // A synthetic click carries no user activation: focusing a window is granted here.
        WindowClient.prototype.focus = async function () {{ return this; }};
        {body}
    }}"""


CLAIM_TIMEOUT_SECONDS = 90
CLAIMED = """navigator.serviceWorker.controller ? true : new Promise((resolve) =>
    navigator.serviceWorker.addEventListener('controllerchange', () => resolve(true),
        { once: true }))"""


@pytest.fixture(scope="module")
def push_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakePushService]:
    service = FakePushService(tmp_path_factory.mktemp("push-tls"))
    service.start()
    try:
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="module")
def server(
    database_url: str, mail_server: MailServer, push_service: FakePushService
) -> Iterator[str]:
    env = {
        "SMTP_URL": mail_server.url,
        "EMAIL_FROM": "Srochno <no-reply@srochno.test>",
        "VAPID_PRIVATE_KEY": VAPID_KEY,
        "PUSH_SERVICE_HOSTS": f"127.0.0.1:{push_service.port}",
        "REQUESTS_CA_BUNDLE": str(push_service.ca_path),
    }
    with run_servers(database_url, 1, env=env) as group:
        yield group.urls[0]


async def endpoints(database_url: str, address: str) -> list[str]:
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        rows = await conn.fetch(
            "SELECT s.endpoint FROM push_subscriptions s JOIN users u ON u.id = s.user_id "
            "WHERE u.email = $1 ORDER BY s.id",
            address,
        )
    finally:
        await conn.close()
    return [row["endpoint"] for row in rows]


async def post_matching_order(server: str, client_id: int, description: str) -> str:
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        created = await http.post(
            "/api/orders", json={**ORDER, "description": description}, headers=auth(client_id)
        )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


async def forget_devices(database_url: str, address: str) -> None:
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        await conn.execute(
            "DELETE FROM push_subscriptions "
            "WHERE user_id = (SELECT id FROM users WHERE email = $1)",
            address,
        )
    finally:
        await conn.close()


async def test_a_web_executor_turns_push_on_and_the_service_worker_shows_it(
    open_user: Any,
    server: str,
    mail: MailServer,
    push_service: FakePushService,
    database_url: str,
) -> None:
    push = push_service
    push.reset()
    phone = push.new_device()
    app = await open_user(None, signed=False)
    page = app.page
    await page.context.grant_permissions(["notifications"], origin=server)
    await page.add_init_script(PUSH_MANAGER % json.dumps(phone.subscription()))
    await sign_in_by_email(app, mail, ADDRESS)
    for path, body in (
        ("/api/users/me/preferences", {"categories": ["plumbing"], "cities": ["Москва"]}),
        ("/api/users/me/notification-settings", {"frequency": "instant"}),
    ):
        answer = await page.request.put(f"{server}{path}", data=body, headers=CSRF)
        assert answer.status == 200, await answer.text()

    # 1. The page offers notifications on this device; on, it subscribes with the server's key.
    toggle = page.locator("#banner .push-toggle")
    await expect(toggle).to_have_text("🔔 Уведомлять на этом устройстве")
    await toggle.click()
    await expect(page.locator("#toast")).to_contain_text("Новые заказы будут приходить")
    await expect(toggle).to_have_text("🔕 Не уведомлять здесь")
    keys = await page.evaluate("window.__pushStub.keys")
    assert [base64.b64decode(key) for key in keys] == [
        b64url_decode(public_key(signer_of(VAPID_KEY)))
    ], "the page subscribes with the server's VAPID public key"
    assert await endpoints(database_url, ADDRESS) == [phone.endpoint]

    # 2. A matching order is pushed to the device, without the contact.
    order_id = await post_matching_order(server, 9601, "Прорвало трубу в ванной, срочно")
    received = (await push.wait_for(1))[0]
    assert received.token == phone.token
    message = received.message
    assert message["url"] == f"./#/order/{order_id}"
    assert CONTACT not in json.dumps(message, ensure_ascii=False)

    # 3. The service worker shows what the push service delivered; a click opens the order in
    # the app's own window.
    worker = page.context.service_workers[0]
    assert worker.url == f"{server}/app/sw.js"
    # The page is the worker's once it has claimed it (its window can then be navigated).
    # Waited for by its event: polling with wait_for_function evaluates strings, which the page's
    # CSP refuses once the first check has failed.
    # (Bounded generously: with two suites at once on two cores, activation took over 30 s.)
    await asyncio.wait_for(page.evaluate(CLAIMED), CLAIM_TIMEOUT_SECONDS)
    shown = await worker.evaluate(
        in_worker(
            """await run(new PushEvent('push', { data: arg }), {});
            return (await self.registration.getNotifications()).map(
                (n) => ({ title: n.title, body: n.body, tag: n.tag, url: n.data.url }));"""
        ),
        json.dumps(message),
    )
    assert shown == [
        {
            "title": message["title"],
            "body": message["body"],
            "tag": f"order-{order_id}",
            "url": message["url"],
        }
    ]
    clicked = await worker.evaluate(
        in_worker(
            """const [notification] = await self.registration.getNotifications();
            await run(new ExtendableEvent('notificationclick'), { notification });
            return { opened, left: (await self.registration.getNotifications()).length };"""
        ),
        None,
    )
    assert clicked == {"opened": [], "left": 0}, "the app's window is reused, the card closed"
    await expect(page).to_have_url(f"{server}/app/#/order/{order_id}")
    await expect(page.locator("html")).to_have_attribute("data-screen", "order")

    # A notification naming another site opens nothing, anywhere.
    foreign = await worker.evaluate(
        in_worker(
            """await self.registration.showNotification('x', { data: { url: arg } });
            const [notification] = await self.registration.getNotifications();
            await run(new ExtendableEvent('notificationclick'), { notification });
            return opened;"""
        ),
        "https://evil.example/app/",
    )
    assert foreign == []
    await expect(page).to_have_url(f"{server}/app/#/order/{order_id}")

    # 4. The browser renews the subscription: the worker replaces it on the server.
    laptop = push.new_device()
    await worker.evaluate(
        in_worker(
            """const [old, fresh] = arg;
            await run(new ExtendableEvent('pushsubscriptionchange'), {
                oldSubscription: { endpoint: old },
                newSubscription: { endpoint: fresh.endpoint, toJSON: () => fresh },
            });"""
        ),
        [phone.endpoint, laptop.subscription()],
    )
    assert await endpoints(database_url, ADDRESS) == [laptop.endpoint]
    second = await post_matching_order(server, 9602, "Течёт кран на кухне, нужна помощь")
    await push.wait_for(2)
    assert [r.message["url"] for r in push.received_by(laptop)] == [f"./#/order/{second}"]
    assert len(push.received_by(phone)) == 1, "the old subscription hears nothing more"

    # 5. A subscription the server dropped (a 410 on another day) is renewed on the next visit.
    await page.evaluate(KEPT, laptop.subscription())
    await forget_devices(database_url, ADDRESS)
    await page.reload()
    await page.locator("html[data-ready='1']").wait_for()
    await expect(toggle).to_have_text("🔕 Не уведомлять здесь")

    async def renewed() -> bool:
        return await endpoints(database_url, ADDRESS) == [laptop.endpoint]

    await until(renewed, "the page renews the subscription the server dropped")

    # 6. Off: the page unsubscribes the device and the server forgets it.
    await toggle.click()
    await expect(page.locator("#toast")).to_contain_text("Уведомления на этом устройстве")
    await expect(toggle).to_have_text("🔔 Уведомлять на этом устройстве")
    assert await page.evaluate("window.__pushStub.unsubscribed") == 1
    assert await endpoints(database_url, ADDRESS) == []
    app.assert_clean()
