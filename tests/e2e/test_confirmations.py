"""What costs money or cannot be undone asks first, in Telegram's own popup (SPEC §21):
"I saw the responses" (the takers' refund ends), "Job done" and "Delete"; refused, nothing
happens. And a paid contact is usable: a Telegram handle or link opens Telegram, any
contact can be copied, and the balance's history calls the payment what it is."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.async_api import expect

from tests.helpers import ORDER, auth, recharge, take

CLIENT, EXECUTOR = 9701, 9702


async def post(http: httpx.AsyncClient, **fields: Any) -> str:
    response = await http.post("/api/orders", json={**ORDER, **fields}, headers=auth(CLIENT))
    assert response.status_code == 201, response.text
    order_id: str = response.json()["id"]
    return order_id


async def order_of(http: httpx.AsyncClient, order_id: str) -> dict[str, Any]:
    response = await http.get(f"/api/orders/{order_id}", headers=auth(CLIENT))
    assert response.status_code == 200, response.text
    order: dict[str, Any] = response.json()
    return order


async def confirms(app: Any) -> list[str]:
    return [call[1] for call in await app.calls() if call[0] == "showConfirm"]


async def test_responses_seen_job_done_and_delete_ask_first(open_user, server):
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        taken = await post(http, description="Срочно заменить розетку в ванной, искрит")
        await recharge(http, EXECUTOR, 10)
        assert (await take(http, taken, EXECUTOR)).status_code == 200
        other = await post(http, description="Нужно собрать шкаф сегодня вечером, инструмент мой")

        owner = await open_user(CLIENT, language_code="ru", stub={"confirm": False})
        await owner.open()
        await owner.go("mine")
        page = owner.page
        card = page.locator(f"article[data-order-id='{taken}']")

        # Refused: asked, nothing done.
        await card.get_by_role("button", name="Отклики просмотрены").click()
        await card.get_by_role("button", name="Работа выполнена").click()
        await (
            page.locator(f"article[data-order-id='{other}']")
            .get_by_role("button", name="Удалить")
            .click()
        )
        asked = await confirms(owner)
        assert len(asked) == 3
        assert "Деньги исполнителям после этого не вернутся" in asked[0]
        assert asked[1].startswith("Отметить заказ выполненным")
        assert asked[2] == "Удалить заказ? Это нельзя отменить."
        assert (await order_of(http, taken))["responded_at"] is None
        assert (await order_of(http, other))["status"] == "active"

        # Accepted: done.
        await page.evaluate("window.__TG_STUB__.confirm = true")
        await card.get_by_role("button", name="Отклики просмотрены").click()
        await expect(card.get_by_role("button", name="Отклики просмотрены")).to_have_count(0)
        assert (await order_of(http, taken))["responded_at"] is not None
        await (
            page.locator(f"article[data-order-id='{other}']")
            .get_by_role("button", name="Удалить")
            .click()
        )
        await expect(page.locator(f"article[data-order-id='{other}']")).to_have_count(0)
        owner.assert_clean()


async def test_a_telegram_contact_opens_telegram_and_any_contact_is_copied(open_user, server):
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        order_id = await post(
            http,
            description="Помогите донести диван до пятого этажа, лифта нет",
            contact="@ivan_master",
        )
        await recharge(http, EXECUTOR + 10, 10)
        assert (await take(http, order_id, EXECUTOR + 10)).status_code == 200

    executor = await open_user(EXECUTOR + 10, language_code="ru")
    await executor.open(f"order/{order_id}")
    page = executor.page
    await expect(page.locator(".contact-value")).to_have_text("@ivan_master")
    await expect(page.locator("a.call")).to_have_count(0)  # not a phone
    await page.get_by_role("button", name="Написать в Telegram").click()
    opened = [call for call in await executor.calls() if call[0] == "openTelegramLink"]
    assert opened == [["openTelegramLink", "https://t.me/ivan_master"]]
    await page.get_by_role("button", name="Скопировать").click()
    await expect(page.get_by_text("Контакт скопирован.")).to_be_visible()
    # The balance's history names what was paid for: the contact, not the order.
    await executor.go("balance")
    await expect(page.get_by_text("Оплата контакта")).to_be_visible()
    executor.assert_clean()
