"""The Mini App opened in a plain browser on a development server: signed in through
``/api/dev/init-data``, which exists only with the generated development token (with a
real token it would sign initData of anyone for anyone), so this module's server runs
without ``TELEGRAM_BOT_TOKEN``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.async_api import expect

from tests.e2e.test_journey import CONTACT, post_order
from tests.servers import run_servers


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    with run_servers(database_url, 1, env={"TELEGRAM_BOT_TOKEN": ""}) as group:
        yield group.urls[0]


async def test_english_outside_telegram_signs_in_through_the_dev_endpoint(open_user):
    app = await open_user(None, signed=False)
    await app.open(query="?dev_user=9301&dev_name=Emma&dev_lang=en")
    banner = app.page.locator("#banner")
    await expect(banner).to_contain_text("Opened outside Telegram (development). You are user")
    await expect(app.page.get_by_role("link", name="Feed")).to_be_visible()
    await expect(app.page.locator("h1")).to_have_text("Urgent jobs")
    # Outside Telegram the page draws its own main button.
    await expect(app.page.locator("#fallback-main")).to_have_text("Post an order")
    await app.screenshot("feed-outside-telegram-en")

    await app.page.get_by_role("link", name="Profile").click()
    await expect(app.page.locator(".profile-name")).to_contain_text("Emma")
    await app.go("order/doesNotExist")
    await expect(app.page.get_by_role("alert")).to_contain_text(
        "Order not found — it may have been deleted."
    )
    # An order of one's own cannot be taken; the API's code becomes an English sentence.
    await app.go("post")
    await post_order(app, "Need a locksmith, the door is jammed shut")
    await app.page.locator("#fallback-main").click()
    await expect(app.page.locator(".contact-value")).to_have_text(CONTACT)
    await expect(app.page.get_by_text("This is your order.")).to_be_visible()
    await app.page.locator("#fallback-back").click()
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "post")
    app.assert_clean()
