"""Telegram's design guidelines and WCAG AA, measured on the real page: every control is a
tap target of at least 44 × 44 px, and every text has a contrast of at least 4.5:1 (3:1
when large) against what is behind it, in the page's own light and dark colours (a browser
outside Telegram, where no Telegram theme applies), on each screen a client and an
executor go through.

The server runs on the generated development token (the page signs itself in through
``/api/dev/init-data``), and telegram.org's script is not there at all: the page is a
plain web page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import expect

from tests.e2e.conftest import EXTERNAL, TELEGRAM_SCRIPT, TIMEOUT_MS, VIEWPORT
from tests.servers import run_servers

DESCRIPTION = "Нужно срочно заменить смеситель на кухне, течёт из-под крана"
CONTACT = "+7 999 765-43-21"
MIN_TARGET = 44.0

MEASURE = (Path(__file__).parent / "measure.js").read_text()


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    with run_servers(database_url, 1, env={"TELEGRAM_BOT_TOKEN": ""}) as group:
        yield group.urls[0]


class Person:
    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base

    async def go(self, route: str) -> None:
        await self.page.evaluate("(h) => { location.hash = h; }", f"#/{route}")
        await expect(self.page.locator("html")).to_have_attribute(
            "data-screen", route.split("/")[0]
        )

    async def measure(self, where: str, problems: list[str]) -> None:
        await self.page.wait_for_timeout(150)  # the screen's late parts (the profile) land
        found = await self.page.evaluate(MEASURE, MIN_TARGET)
        assert found["checked"] > 3, where
        problems += [f"{where}: tap target {item}" for item in found["small"]]
        problems += [f"{where}: contrast {item}" for item in found["faint"]]


@pytest.fixture
async def person(browser: Any, server: str) -> Any:
    expect.set_options(timeout=TIMEOUT_MS)
    contexts = []

    async def open_person(user_id: int, scheme: str) -> Person:
        context = await browser.new_context(viewport=VIEWPORT, locale="ru-RU", color_scheme=scheme)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        await context.route(EXTERNAL, lambda route: route.abort())
        await context.route(
            TELEGRAM_SCRIPT, lambda route: route.fulfill(body="", content_type="text/javascript")
        )
        page = await context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        await page.goto(f"{server}/app/?dev_user={user_id}&dev_lang=ru#/feed")
        await page.locator("html[data-ready='1']").wait_for()
        return Person(page, server)

    yield open_person
    for context in contexts:
        await context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_every_screen_has_big_enough_targets_and_readable_text(person, scheme):
    base = 9600 + (0 if scheme == "light" else 10)
    client = await person(base + 1, scheme)
    executor = await person(base + 2, scheme)
    problems: list[str] = []

    await client.go("post")
    await client.page.locator("select[name=category]").select_option("plumbing")
    await client.page.locator("textarea[name=description]").fill("коротко")
    await client.page.locator("input[name=city]").fill("Москва")
    await client.page.locator("input[name=contact]").fill(CONTACT)
    await client.page.locator("#fallback-main").click()  # the form's errors shown too
    await expect(client.page.locator(".field-error").locator("visible=true")).to_be_visible()
    await client.measure("post", problems)
    await client.page.locator("textarea[name=description]").fill(DESCRIPTION)
    await client.page.locator("#fallback-main").click()
    await expect(client.page.locator("html")).to_have_attribute("data-screen", "order")
    order_id = client.page.url.rsplit("/", 1)[1]
    await client.measure("own order", problems)

    await executor.go("balance")
    await executor.page.get_by_role("button", name=re.compile("Пополнить на")).click()
    await expect(executor.page.locator(".ledger-row")).to_have_count(1)
    await executor.measure("balance", problems)
    await executor.go("feed")
    await expect(executor.page.locator(".order-card", has_text=DESCRIPTION)).to_be_visible()
    await executor.measure("feed", problems)
    await executor.go(f"order/{order_id}")
    await expect(executor.page.locator(".hidden-contact")).to_be_visible()
    await executor.measure("order", problems)
    await executor.page.locator("#fallback-main").click()  # the dialog is accepted
    await expect(executor.page.locator(".contact-value")).to_have_text(CONTACT)
    await executor.measure("order taken", problems)
    await executor.go("takes")
    await executor.measure("takes", problems)
    await executor.go(f"complain/{order_id}")
    await executor.measure("complaint", problems)
    await executor.go("profile")
    await expect(executor.page.locator(".reach")).to_be_visible()
    await executor.measure("profile", problems)
    await executor.go(f"user/{base + 1}")
    await executor.measure("public profile", problems)

    await client.go("mine")
    await expect(client.page.locator(".taker")).to_have_count(1)
    await client.measure("my orders", problems)
    await client.go(f"rate/{order_id}/{base + 2}")
    await client.measure("rate", problems)
    assert not problems, "\n".join(problems)
