"""Reporting an order from the Mini App: offered to everybody but the owner, no reason
chosen beforehand, a confirmation, then the reported state, which stays."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.helpers import ORDER, auth

CLIENT, EXECUTOR, SECOND = 9501, 9502, 9503
DESCRIPTION = "Нужно срочно заменить смеситель на кухне, течёт"


async def posted_order(server: str) -> str:
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        response = await http.post(
            "/api/orders", json={**ORDER, "description": DESCRIPTION}, headers=auth(CLIENT)
        )
        assert response.status_code == 201, response.text
        order_id: str = response.json()["id"]
        return order_id


async def test_an_executor_reports_an_order_once(open_user, server):
    order_id = await posted_order(server)
    owner = await open_user(CLIENT, first_name="Алиса", language_code="ru")
    await owner.open(f"order/{order_id}")
    await expect(owner.page.get_by_text("Это ваш заказ.")).to_be_visible()
    await expect(owner.page.get_by_role("button", name="Пожаловаться на заказ")).to_have_count(0)

    executor = await open_user(EXECUTOR, first_name="Борис", language_code="ru")
    await executor.open(f"order/{order_id}")
    page = executor.page
    await page.get_by_role("button", name="Пожаловаться на заказ").click()
    reasons = page.locator("input[name=report-reason]")
    await expect(reasons).to_have_count(3)
    for n in range(3):
        await expect(reasons.nth(n)).not_to_be_checked()
    # No reason, no report.
    await page.get_by_role("button", name="Отправить", exact=True).click()
    await expect(page.get_by_text("Выберите причину.")).to_be_visible()

    await page.get_by_label("В тексте есть контакт").check()
    await page.locator("textarea[name=report-comment]").fill("номер телефона словами в описании")
    await page.get_by_role("button", name="Отправить", exact=True).click()
    # A confirmation first: cancelling it sends nothing.
    await expect(page.get_by_text("Отправить жалобу модераторам?")).to_be_visible()
    await executor.screenshot("report-confirm")
    await page.get_by_role("button", name="Да, отправить").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Жалоба отправлена. Спасибо — модераторы проверят заказ."
    )
    await expect(page.get_by_role("button", name="Пожаловаться на заказ")).to_have_count(0)
    await executor.screenshot("report-done")

    # Nothing changed for anybody; the report is stored as sent.
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        seen = (await http.get(f"/api/orders/{order_id}")).json()
        assert seen["status"] == "active"
        again = await http.post(
            f"/api/orders/{order_id}/report",
            json={"reason": "fake"},
            headers=auth(EXECUTOR),
        )
        assert again.json()["code"] == "already_reported"

    # Back on the order later, the action is not offered again.
    await executor.go("feed")
    await executor.go(f"order/{order_id}")
    await expect(page.get_by_text("Вы уже пожаловались на этот заказ.")).to_be_visible()
    await expect(page.get_by_role("button", name="Пожаловаться на заказ")).to_have_count(0)

    owner.assert_clean()
    executor.assert_clean()


async def test_a_report_sent_from_another_device_shows_the_reported_state(open_user, server):
    """The page does not know about a report from another device: the API's 409 tells it."""
    order_id = await posted_order(server)
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        first = await http.post(
            f"/api/orders/{order_id}/report", json={"reason": "other"}, headers=auth(SECOND)
        )
        assert first.status_code == 201
    app = await open_user(SECOND, first_name="Вера", language_code="en")
    await app.open(f"order/{order_id}")
    page = app.page
    await page.get_by_role("button", name="Report this order").click()
    await page.get_by_label("The order is fake").check()
    await page.get_by_role("button", name="Send", exact=True).click()
    await page.get_by_role("button", name="Cancel").click()  # back from the confirmation
    await page.get_by_role("button", name="Send", exact=True).click()
    await page.get_by_role("button", name="Yes, send").click()
    await expect(page.get_by_role("status")).to_have_text("You have already reported this order.")
    app.assert_clean()
