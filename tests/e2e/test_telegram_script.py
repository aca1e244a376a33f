"""The Mini App under Telegram's own ``telegram-web-app.js`` (not the stub), launched the way a
Telegram client launches it: launch parameters in the URL hash, events out through
``window.TelegramWebviewProxy.postEvent``, events in through ``Telegram.WebView.receiveEvent``.

The script is the official one that the npm package ``@twa-dev/sdk`` ships
(``src/telegram-web-apps.js``, MIT), fetched once per run with ``npm pack`` at a pinned
version into a temporary directory: nothing is committed, telegram.org is never reached.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

import asyncpg
import httpx
import pytest
from playwright.async_api import expect

from srochno.db import plain_url
from tests.conftest import make_settings
from tests.e2e.conftest import ARTIFACTS, EXTERNAL, TELEGRAM_SCRIPT, TIMEOUT_MS, VIEWPORT
from tests.fakebotapi import FakeBotAPI
from tests.helpers import ORDER, auth, init_data, recharge
from tests.servers import run_servers
from tests.telegram_updates import message, post_update

SDK = "@twa-dev/sdk@8.0.2"
SCRIPT_IN_PACKAGE = "package/src/telegram-web-apps.js"
CLIENT, EXECUTOR = 9301, 9302
# Telegram's dark theme as its Android client sends it.
DARK_THEME = {
    "bg_color": "#212121",
    "secondary_bg_color": "#181818",
    "section_bg_color": "#212121",
    "header_bg_color": "#212121",
    "text_color": "#ffffff",
    "hint_color": "#aaaaaa",
    "subtitle_text_color": "#aaaaaa",
    "link_color": "#8774e1",
    "accent_text_color": "#8774e1",
    "section_header_text_color": "#8774e1",
    "button_color": "#8774e1",
    "button_text_color": "#ffffff",
    "destructive_text_color": "#e53935",
}
# What a Telegram client does with what the page posts: record it, in page order.
PROXY = """
window.__posted = [];
window.TelegramWebviewProxy = {
  postEvent(type, data) { window.__posted.push([type, data ? JSON.parse(data) : null]); },
};
"""


@pytest.fixture(scope="session")
def telegram_script(tmp_path_factory: pytest.TempPathFactory) -> str:
    npm = shutil.which("npm")
    if npm is None:
        if os.environ.get("CI") == "true":
            pytest.fail("npm is needed to fetch telegram-web-app.js (@twa-dev/sdk)")
        pytest.skip("npm is needed to fetch telegram-web-app.js (@twa-dev/sdk)")
    where = tmp_path_factory.mktemp("twa-sdk")
    packed = subprocess.run(
        [npm, "pack", SDK, "--silent", "--pack-destination", str(where)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    archive = where / packed.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as tar:
        member = tar.extractfile(SCRIPT_IN_PACKAGE)
        assert member is not None
        script = member.read().decode()
    assert "TelegramWebviewProxy" in script
    return script


@pytest.fixture(scope="module")
def bot_server(database_url: str, fake_bot_api: FakeBotAPI) -> Iterator[str]:
    with run_servers(database_url, 1, env={"TELEGRAM_API_URL": fake_bot_api.url}) as group:
        yield group.urls[0]


class TelegramClient:
    """One user's Mini App as a Telegram client hosts it."""

    def __init__(self, page: Any) -> None:
        self.page = page

    async def posted(self, kind: str) -> list[Any]:
        events: list[list[Any]] = await self.page.evaluate("window.__posted")
        return [data for name, data in events if name == kind]

    async def wait_posted(self, kind: str, count: int = 1) -> list[Any]:
        deadline = time.monotonic() + TIMEOUT_MS / 1000
        while True:
            found = await self.posted(kind)
            if len(found) >= count:
                return found
            assert time.monotonic() < deadline, f"the page never posted {kind}"
            await self.page.wait_for_timeout(50)

    async def receive(self, kind: str, data: dict[str, Any] | None = None) -> None:
        await self.page.evaluate(
            "([kind, data]) => window.Telegram.WebView.receiveEvent(kind, data)", [kind, data]
        )

    async def main_button(self) -> dict[str, Any]:
        params: dict[str, Any] = (await self.posted("web_app_setup_main_button"))[-1]
        return params


@pytest.fixture
async def launch(browser: Any, bot_server: str, telegram_script: str) -> AsyncIterator[Any]:
    expect.set_options(timeout=TIMEOUT_MS)
    contexts = []

    async def launch(
        user_id: int, start_param: str | None = None, route: str = ""
    ) -> TelegramClient:
        context = await browser.new_context(viewport=VIEWPORT, locale="ru-RU")
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        await context.add_init_script(PROXY)
        await context.route(EXTERNAL, lambda route: route.abort())
        await context.route(
            TELEGRAM_SCRIPT,
            lambda route: route.fulfill(body=telegram_script, content_type="text/javascript"),
        )
        theme = json.dumps(DARK_THEME)
        params = {
            "tgWebAppData": init_data(user_id, language_code="ru"),
            "tgWebAppVersion": "8.0",
            "tgWebAppPlatform": "android",
            "tgWebAppThemeParams": theme,
        }
        if start_param is not None:
            params["tgWebAppStartParam"] = start_param
        fragment = "&".join(f"{key}={quote(value, safe='')}" for key, value in params.items())
        page = await context.new_page()
        # A web_app button's URL with a route gets the parameters after a "?" in the hash.
        await page.goto(f"{bot_server}/app/#{route + '?' if route else ''}{fragment}")
        await page.locator("html[data-ready='1']").wait_for()
        return TelegramClient(page)

    yield launch
    for context in contexts:
        await context.close()


async def test_a_deep_link_opens_the_order_and_taking_is_confirmed_in_telegrams_popup(
    launch, bot_server
):
    async with httpx.AsyncClient(base_url=bot_server, trust_env=False, timeout=60) as http:
        response = await http.post("/api/orders", json=ORDER, headers=auth(CLIENT))
        assert response.status_code == 201, response.text
        order = response.json()
        await recharge(http, EXECUTOR, 10)

    app = await launch(EXECUTOR, f"order_{order['id']}")
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "order")
    # The launch parameters left the address; the order's route took their place.
    assert await app.page.evaluate("location.hash") == f"#/order/{order['id']}"
    assert "ready" not in [
        name for name in await app.page.evaluate("window.__posted.map(e => e[0])") if name == "x"
    ]
    await expect(app.page.locator(".hidden-contact")).to_contain_text("2 ₽")
    button = await app.main_button()
    assert button["is_visible"] is True
    assert button["text"] == "Взять за 2 ₽"

    # The first press asks first; cancelling spends nothing.
    await app.receive("main_button_pressed")
    (popup,) = await app.wait_posted("web_app_open_popup")
    assert "2 ₽" in popup["message"]
    assert "15 мин" in popup["message"]
    assert "мало оценок, жалоб нет" in popup["message"]
    await app.receive("popup_closed", {"button_id": "cancel"})
    await expect(app.page.locator(".hidden-contact")).to_be_visible()

    await app.receive("main_button_pressed")
    await app.wait_posted("web_app_open_popup", 2)
    await app.receive("popup_closed", {"button_id": "ok"})
    await expect(app.page.locator(".contact-value")).to_have_text(ORDER["contact"])
    call = app.page.locator(".contact-actions a.call")
    await expect(call).to_have_attribute("href", "tel:+79991234567")
    ARTIFACTS.mkdir(exist_ok=True)
    await app.page.screenshot(path=str(ARTIFACTS / "order-taken-dark.png"))
    async with httpx.AsyncClient(base_url=bot_server, trust_env=False, timeout=60) as http:
        balance = (await http.get("/api/balance", headers=auth(EXECUTOR))).json()
    assert balance["balance"] == 8

    # Sharing: the bot prepares the message, Telegram's share sheet gets its id.
    await app.page.get_by_role("button", name="Поделиться").click()
    (shared,) = await app.wait_posted("web_app_send_prepared_message")
    assert shared["id"].startswith("prepared-")
    await app.receive("prepared_message_sent")
    await app.page.get_by_role("button", name="На экран «Домой»").click()
    await app.wait_posted("web_app_add_to_home_screen")


async def test_write_access_and_the_verified_phone_through_telegram(
    launch, bot_server, fake_bot_api: FakeBotAPI, database_url
):
    fake_bot_api.reset()
    app = await launch(EXECUTOR + 10)
    await app.page.evaluate("location.hash = '#/profile'")
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "profile")
    reach = app.page.locator(".reach")
    await expect(reach).to_have_attribute("data-reach", "needs_start")

    await app.page.get_by_role("button", name="Разрешить сообщения").click()
    await app.wait_posted("web_app_request_write_access")
    await app.receive("write_access_requested", {"status": "allowed"})
    await expect(reach).to_have_attribute("data-reach", "ok")

    await app.page.get_by_role("button", name="Подтвердить телефон через Telegram").click()
    await app.wait_posted("web_app_request_phone")
    # Telegram sends the shared contact to the bot, then tells the page.
    settings = make_settings(database_url)
    user_id = EXECUTOR + 10
    contact = {"phone_number": "79995550011", "first_name": "Ivan", "user_id": user_id}
    async with httpx.AsyncClient(base_url=bot_server, trust_env=False, timeout=60) as http:
        response = await post_update(http, settings, message(user_id, contact=contact))
        assert response.status_code == 200, response.text
    await app.receive("phone_requested", {"status": "sent"})
    await expect(app.page.locator(".phone-verified")).to_contain_text("+79995550011")


async def test_a_user_who_blocked_the_bot_allows_messages_again_through_telegram(
    launch, database_url
):
    """A block is lifted the way a first start is: Telegram's own write-access request."""
    user_id = EXECUTOR + 11
    app = await launch(user_id)  # the first request makes the user
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        await conn.execute(
            "UPDATE users SET bot_blocked = true, allows_write_to_pm = false WHERE id = $1",
            user_id,
        )
    finally:
        await conn.close()
    await app.page.evaluate("location.hash = '#/profile'")
    reach = app.page.locator(".reach")
    await expect(reach).to_have_attribute("data-reach", "blocked")
    await app.page.get_by_role("button", name="Разрешить сообщения").click()
    await app.wait_posted("web_app_request_write_access")
    await app.receive("write_access_requested", {"status": "allowed"})
    await expect(reach).to_have_attribute("data-reach", "ok")


async def test_subscribing_asks_for_write_access(launch):
    app = await launch(EXECUTOR + 30)
    await app.page.evaluate("location.hash = '#/profile'")
    await expect(app.page.locator(".reach")).to_have_attribute("data-reach", "needs_start")
    await app.page.locator("input[name=categories][value=plumbing]").check()
    await app.page.locator("input[name=cities]").fill("Москва")
    await app.receive("main_button_pressed")
    await app.wait_posted("web_app_request_write_access")
    await app.receive("write_access_requested", {"status": "allowed"})
    await expect(app.page.locator(".reach")).to_have_attribute("data-reach", "ok")


async def test_a_notification_button_opens_its_order_with_the_parameters_after_the_route(
    launch, bot_server
):
    async with httpx.AsyncClient(base_url=bot_server, trust_env=False, timeout=60) as http:
        response = await http.post("/api/orders", json=ORDER, headers=auth(CLIENT))
        order = response.json()
    app = await launch(EXECUTOR + 20, route=f"/order/{order['id']}")
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "order")
    assert await app.page.evaluate("location.hash") == f"#/order/{order['id']}"
    await expect(app.page.locator(".description")).to_have_text(ORDER["description"])


async def test_a_press_pending_on_a_left_screen_does_not_hold_the_next_screens_button(launch):
    app = await launch(EXECUTOR + 40)
    await app.page.evaluate("location.hash = '#/balance'")
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "balance")
    await app.receive("main_button_pressed")  # "Pay ★": the invoice opens and stays open
    await app.wait_posted("web_app_open_invoice")
    await app.page.evaluate("location.hash = '#/feed'")
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "feed")
    button = await app.main_button()
    assert button["text"] == "Разместить заказ"
    assert button.get("is_progress_visible") is not True
    await app.receive("main_button_pressed")  # the first press counts
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "post")


async def test_going_on_duty_asks_for_write_access(launch, bot_server):
    user = EXECUTOR + 50
    area = {"lat": 55.75, "lon": 37.62, "radius_km": 5}
    async with httpx.AsyncClient(base_url=bot_server, trust_env=False, timeout=60) as http:
        body = {"categories": ["plumbing"], "cities": ["Москва"], "area": area}
        response = await http.put("/api/users/me/preferences", json=body, headers=auth(user))
        assert response.status_code == 200, response.text
    app = await launch(user)
    await app.page.evaluate("location.hash = '#/profile'")
    await expect(app.page.locator(".reach")).to_have_attribute("data-reach", "needs_start")
    await app.page.locator("input[name=duty]").check()
    await app.wait_posted("web_app_request_write_access")
    await app.receive("write_access_requested", {"status": "allowed"})
    await expect(app.page.locator(".reach")).to_have_attribute("data-reach", "ok")
    await expect(app.page.locator("input[name=duty]")).to_be_checked()


async def test_outside_telegram_the_script_leaves_the_browsers_dark_scheme_alone(
    browser, bot_server, telegram_script
):
    """Loaded in a plain browser, Telegram's script reports ``colorScheme: "light"`` and no
    colours: the page keeps its own dark colours for a browser that prefers dark."""
    context = await browser.new_context(viewport=VIEWPORT, color_scheme="dark")
    try:
        await context.route(EXTERNAL, lambda route: route.abort())
        await context.route(
            TELEGRAM_SCRIPT,
            lambda route: route.fulfill(body=telegram_script, content_type="text/javascript"),
        )
        page = await context.new_page()
        await page.goto(f"{bot_server}/app/")
        await page.locator("html[data-ready='1']").wait_for(timeout=TIMEOUT_MS)
        assert await page.evaluate("Boolean(window.Telegram && window.Telegram.WebApp)")
        await expect(page.locator("body")).to_have_css("background-color", "rgb(23, 33, 43)")
        assert await page.locator("html").get_attribute("data-scheme") is None
    finally:
        await context.close()


async def test_a_half_typed_order_asks_before_telegram_closes_the_app(launch):
    app = await launch(EXECUTOR + 60)
    await app.page.evaluate("location.hash = '#/post'")
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "post")
    assert await app.posted("web_app_setup_closing_behavior") == []
    await app.page.locator("textarea[name=description]").fill("Течёт кран")
    (closing,) = await app.wait_posted("web_app_setup_closing_behavior")
    assert closing == {"need_confirmation": True}
    await app.receive("back_button_pressed")  # leaving the form lets the app close freely
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "feed")
    closing = (await app.wait_posted("web_app_setup_closing_behavior", 2))[-1]
    assert closing == {"need_confirmation": False}
