"""A phone Telegram confirmed (SPEC §21): posting offers it as the contact, executors see
"phone verified" before paying (on the order and in the popup that asks to pay), and the
public profile carries the badge. And a user who blocked the bot is offered the fix on the
profile."""

from __future__ import annotations

import asyncpg
import httpx
from playwright.async_api import expect

from srochno.db import plain_url
from tests.helpers import ORDER, auth, recharge

CLIENT, EXECUTOR = 9801, 9802
PHONE = "+79995550011"


async def test_the_verified_phone_is_offered_shown_before_paying_and_on_the_profile(
    open_user, server, database_url
):
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        assert (await http.get("/api/users/me", headers=auth(CLIENT))).status_code == 200
        await recharge(http, EXECUTOR, 10)
    conn = await asyncpg.connect(plain_url(database_url))
    try:  # what the bot stores from the user's own shared contact (tests/bot/test_contacts.py)
        await conn.execute("UPDATE users SET verified_phone = $1 WHERE id = $2", PHONE, CLIENT)
    finally:
        await conn.close()

    client = await open_user(CLIENT, language_code="ru")
    await client.open("post")
    page = client.page
    await page.locator("textarea[name=description]").fill(
        "Срочно нужен сантехник: течёт труба под раковиной"
    )
    await page.locator("input[name=city]").fill(ORDER["city"])
    await page.locator("select[name=category]").select_option(ORDER["category"])
    offer = page.locator(".use-phone")
    await expect(offer).to_contain_text(PHONE)
    await offer.click()
    await expect(page.locator("input[name=contact]")).to_have_value(PHONE)
    await client.main_button().click()
    await expect(page.locator("html")).to_have_attribute("data-screen", "order")
    order_id = (await page.evaluate("location.hash")).split("/")[-1]

    executor = await open_user(EXECUTOR, language_code="ru", stub={"confirm": False})
    await executor.open(f"order/{order_id}")
    await expect(executor.page.locator(".hidden-contact .verified")).to_have_text(
        "Телефон подтверждён"
    )
    await executor.main_button().click()
    asked = [call[1] for call in await executor.calls() if call[0] == "showConfirm"]
    assert len(asked) == 1
    assert "Телефон подтверждён Telegram." in asked[0]

    await executor.go(f"user/{CLIENT}")
    await expect(executor.page.locator(".phone-verified")).to_have_text("Телефон подтверждён")
    client.assert_clean()
    executor.assert_clean()


async def test_a_user_who_blocked_the_bot_is_offered_the_fix(open_user, server, database_url):
    user = EXECUTOR + 10
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        assert (await http.get("/api/users/me", headers=auth(user))).status_code == 200
    conn = await asyncpg.connect(plain_url(database_url))
    try:  # what a 403 "bot was blocked by the user" leaves (tests/notifications/test_reach.py)
        await conn.execute("UPDATE users SET bot_blocked = true WHERE id = $1", user)
    finally:
        await conn.close()

    app = await open_user(user, language_code="ru")
    await app.open()
    await app.go("profile")
    reach = app.page.locator(".reach")
    await expect(reach).to_have_attribute("data-reach", "blocked")
    await reach.get_by_role("button", name="Разрешить сообщения").click()
    await expect(reach).to_have_attribute("data-reach", "ok")
    assert ["requestWriteAccess"] in await app.calls()
    app.assert_clean()
