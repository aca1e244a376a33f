"""The page outside Telegram (SPEC §23): a person without Telegram asks for a sign-in link,
the test reads it out of the e-mail a real SMTP server on loopback received, the page opens
a session from it, posts an order, and hears by e-mail when an executor takes it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import expect

from tests.e2e.test_journey import CONTACT, post_order
from tests.helpers import auth
from tests.mailserver import MailServer, parts, sign_in_token
from tests.servers import run_servers

ADDRESS = "web.client@example.com"
CONFIRM_LINK = re.compile(r"(/api/email/confirm\?t=[A-Za-z0-9_-]+)")


@pytest.fixture(scope="module")
def server(database_url: str, mail_server: MailServer) -> Iterator[str]:
    env = {"SMTP_URL": mail_server.url, "EMAIL_FROM": "Srochno <no-reply@srochno.test>"}
    with run_servers(database_url, 1, env=env) as group:
        yield group.urls[0]


async def sign_in_by_email(
    app: Any, mail: MailServer, address: str, *, screenshot: str | None = None
) -> None:
    """What a person does: asks for a link, opens it from the e-mail; the page is signed in."""
    await app.open("signin")
    page = app.page
    await expect(page.locator("html")).to_have_attribute("data-screen", "signin")
    await page.locator("input[name=email]").fill(address)
    await page.get_by_role("button", name="Прислать ссылку").click()
    await expect(page.locator(".signin-status")).to_contain_text("проверьте почту")
    if screenshot:
        await app.screenshot(screenshot)

    message = await mail.await_for(lambda m: m["To"] == address)
    token = sign_in_token(message)
    await page.goto(f"{app.base_url}/app/#/signin/{token}")
    await expect(page.locator("#banner")).to_contain_text("Вы вошли по почте.")
    await expect(page.locator("html")).to_have_attribute("data-screen", "feed")
    assert "signin" not in page.url, "the used token leaves the address bar"


async def test_a_person_without_telegram_signs_in_by_email_and_posts(
    open_user, server: str, mail: MailServer
) -> None:
    app = await open_user(None, signed=False)
    await sign_in_by_email(app, mail, ADDRESS, screenshot="web-sign-in")
    page = app.page
    # No Stars outside Telegram.
    await app.go("balance")
    await expect(page.locator("h1")).to_be_visible()
    assert await page.locator("section.stars").count() == 0

    await post_order(app, "Прорвало трубу под раковиной, нужен сантехник")
    await page.locator("#fallback-main").click()
    await expect(page.locator(".contact-value")).to_have_text(CONTACT)
    order_id = page.url.rsplit("/", 1)[-1]
    await app.screenshot("web-order-posted")

    # A Telegram executor takes it: the web client is e-mailed, without the contact.
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as client:
        topped = await client.post("/api/balance/recharge", json={"amount": 10}, headers=auth(9501))
        assert topped.status_code == 200, topped.text
        taken = await client.post(f"/api/orders/{order_id}/take", headers=auth(9501))
        assert taken.status_code == 200, taken.text
    told = await mail.await_for(lambda m: m["To"] == ADDRESS and "заказ" in m["Subject"])
    text, html = parts(told)
    assert "взял ваш заказ" in text
    assert CONTACT not in text
    assert CONTACT not in html

    # Logout ends the session: the page asks to sign in again.
    await page.locator("#banner button.logout").click()
    await expect(page.locator("#banner")).not_to_contain_text("Вы вошли по почте.")
    await app.open("signin")
    await expect(page.locator("html")).to_have_attribute("data-screen", "signin")
    app.assert_clean()


async def test_a_telegram_user_adds_an_address_from_the_profile(
    open_user, server: str, mail: MailServer
) -> None:
    app = await open_user(7703)
    await app.open("profile")
    page = app.page
    block = page.locator("section.email-address")
    await block.locator("input[name=email]").fill("tg.profile@example.com")
    await block.get_by_role("button", name="Прислать ссылку").click()
    await expect(block.locator(".email-sent")).to_contain_text("tg.profile@example.com")

    message = await mail.await_for(lambda m: m["To"] == "tg.profile@example.com")
    found = CONFIRM_LINK.search(parts(message)[0])
    assert found is not None, "no confirmation link in the e-mail"
    # The link's page asks before it changes anything (mail scanners open links).
    confirm = await page.context.new_page()
    await confirm.goto(f"{server}{found.group(1)}")
    await confirm.get_by_role("button").click()
    await expect(confirm.locator("body")).to_contain_text("tg.profile@example.com")
    await confirm.close()

    await page.reload()
    await expect(block.locator(".email-verified")).to_contain_text("tg.profile@example.com")
    await app.screenshot("profile-email")
    await block.get_by_role("button", name="Не присылать на почту").click()
    await expect(block.locator("input[name=email]")).to_be_visible()
    app.assert_clean()
