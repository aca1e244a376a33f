"""The whole market in the browser, as two people use it: a client posts, an executor sees it
arrive in the feed, tops up, takes it and gets the contact; the client responds, completes
and rates; the executor's profile shows the rating."""

from __future__ import annotations

import re

from playwright.async_api import expect

CLIENT, EXECUTOR = 9101, 9102
DESCRIPTION = "Прорвало трубу под раковиной, вода на полу, нужен сантехник срочно"
CONTACT = "+7 999 123-45-67"


async def post_order(app, description: str, *, city: str = "Москва") -> None:
    page = app.page
    await app.go("post")
    await page.locator("select[name=category]").select_option("plumbing")
    await page.locator("textarea[name=description]").fill(description)
    await page.locator("input[name=city]").fill(city)
    await page.locator("input[name=contact]").fill(CONTACT)


async def test_post_take_respond_complete_rate(open_user):
    client = await open_user(CLIENT, first_name="Алиса", language_code="ru")
    executor = await open_user(EXECUTOR, first_name="Борис", language_code="ru")
    await executor.open()
    # The feed is live through the order stream (Server-Sent Events), not polling.
    await expect(executor.page.locator("html")).to_have_attribute("data-feed-mode", "stream")
    await executor.screenshot("feed-empty")

    # 1. The client posts an order (the form checks the lengths first).
    await client.open()
    await post_order(client, "коротко")
    await client.main_button().click()
    await expect(
        client.page.get_by_text("Слишком коротко: нужно не меньше 10 символов.")
    ).to_be_visible()
    await client.page.locator("textarea[name=description]").fill(DESCRIPTION)
    await client.screenshot("post")
    await expect(client.main_button()).to_have_text("Опубликовать")
    await client.main_button().click()
    await expect(client.page.locator("html")).to_have_attribute("data-screen", "order")
    await expect(client.page.locator(".contact-value")).to_have_text(CONTACT)
    await expect(client.page.get_by_text("Это ваш заказ.")).to_be_visible()

    # 2. It reaches the executor's open feed without a reload.
    card = executor.page.locator(".order-card", has_text=DESCRIPTION)
    await expect(card).to_be_visible()
    await expect(card).to_contain_text("ещё 60 мин")
    await expect(card).to_contain_text("мест: 3 из 3")
    await executor.screenshot("feed")

    # 3. The executor tops up (development recharge) and takes it: contact, balance down.
    await executor.page.get_by_role("link", name="Баланс").click()
    await executor.page.get_by_role("button", name=re.compile("Пополнить на 100 ₽")).click()
    await expect(executor.page.locator(".balance-amount")).to_have_text("100 ₽")
    await executor.page.get_by_role("link", name="Лента").click()
    await executor.page.locator(".order-card", has_text=DESCRIPTION).click()
    await expect(executor.page.locator(".hidden-contact")).to_contain_text("2 ₽")
    await expect(executor.main_button()).to_have_text("Взять за 2 ₽")
    await executor.main_button().click()
    await expect(executor.page.locator(".contact-value")).to_have_text(CONTACT)
    await expect(executor.page.locator(".note.paid")).to_have_text(
        "Контакт открыт. Списано 2 ₽, на балансе 98 ₽."
    )
    await expect(executor.main_button()).to_be_hidden()
    haptics = [c for c in await executor.calls() if c[0].startswith("HapticFeedback")]
    assert ["HapticFeedback.notificationOccurred", "success"] in haptics
    await executor.screenshot("order-taken")
    await executor.page.get_by_role("link", name="Баланс").click()
    await expect(executor.page.locator(".balance-amount")).to_have_text("98 ₽")
    await expect(executor.page.locator(".ledger-row[data-type=order_take]")).to_contain_text("-2 ₽")
    await executor.screenshot("balance")

    # 4. The client sees the taker, responds, marks the job done and rates it.
    await client.page.get_by_role("link", name="Мои заказы").click()
    mine = client.page.locator(".order-card", has_text=DESCRIPTION)
    await expect(mine.locator(".taker")).to_contain_text("Борис")
    await mine.get_by_role("button", name="Отклики просмотрены").click()
    await expect(mine).to_contain_text("Вы ответили исполнителям.")
    await client.screenshot("my-orders")
    await mine.get_by_role("button", name="Работа выполнена").click()
    await expect(mine.locator(".badge")).to_have_text("Выполнен")
    await expect(mine).to_contain_text("Выполнено исполнителем: Борис")
    await mine.get_by_role("link", name="Оценить").click()
    await expect(client.page.locator("html")).to_have_attribute("data-screen", "rate")
    await client.page.get_by_role("button", name="5", exact=True).click()
    await client.page.locator("textarea[name=comment]").fill("Приехал за 15 минут, всё починил")
    await client.screenshot("rate")
    await client.main_button().click()
    await expect(client.page.locator("html")).to_have_attribute("data-screen", "mine")
    await expect(
        client.page.locator(".order-card", has_text=DESCRIPTION).get_by_text("Оценён")
    ).to_be_visible()

    # 5. The executor's profile shows the rating; the taken order keeps its contact.
    await executor.page.get_by_role("link", name="Профиль").click()
    await expect(executor.page.locator(".stat.rating strong")).to_have_text("★ 5.0")
    await expect(executor.page.locator(".stat.reviews strong")).to_have_text("1")
    await expect(executor.page.locator(".stat.completed strong")).to_have_text("1")
    await executor.screenshot("profile")
    await executor.page.get_by_role("link", name="Мой публичный профиль").click()
    await expect(executor.page.get_by_text("Приехал за 15 минут, всё починил")).to_be_visible()
    await executor.screenshot("public-profile")
    await executor.page.get_by_role("link", name="Взятые").click()
    taken = executor.page.locator(".order-card", has_text=DESCRIPTION)
    await expect(taken.locator(".contact-value")).to_have_text(CONTACT)
    await expect(taken.locator(".badge")).to_have_text("Выполнен")
    await taken.get_by_role("link", name="Пожаловаться").click()
    await expect(executor.page.locator("html")).to_have_attribute("data-screen", "complain")
    await executor.screenshot("complain")
    # No reason is chosen beforehand: one must be picked.
    await executor.main_button().click()
    await expect(executor.page.locator("html")).to_have_attribute("data-screen", "complain")
    await executor.page.get_by_text("Не отвечает").click()
    await executor.main_button().click()
    await expect(executor.page.locator("html")).to_have_attribute("data-screen", "takes")
    taken = executor.page.locator(".order-card", has_text=DESCRIPTION)
    await expect(taken.locator(".complained")).to_be_visible()
    await expect(taken.get_by_role("link", name="Пожаловаться")).to_have_count(0)
    await executor.screenshot("takes")

    client.assert_clean()
    executor.assert_clean()
