"""The fee is the price of the contact (SPEC §21): labelled so on the cards, not shown to
the order's owner, and an order that can no longer be taken invites no payment, neither on
its card nor on its screen."""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.helpers import ORDER, auth, recharge, take

CLIENT, TAKERS, LATE = 9601, (9602, 9603, 9604), 9605
DESCRIPTION = "Срочно нужен электрик: выбило автомат, не включается"


async def test_the_fee_is_the_contacts_price_and_a_full_order_invites_no_payment(open_user, server):
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        posted = await http.post(
            "/api/orders", json={**ORDER, "description": DESCRIPTION}, headers=auth(CLIENT)
        )
        assert posted.status_code == 201, posted.text
        order_id = posted.json()["id"]

        owner = await open_user(CLIENT, language_code="ru")
        await owner.open()
        mine = owner.page.locator(f"article[data-order-id='{order_id}']")
        await expect(mine).to_be_visible()
        await expect(mine.locator(".price")).to_have_count(0)

        late = await open_user(LATE, language_code="ru")
        await late.open()
        card = late.page.locator(f"article[data-order-id='{order_id}']")
        await expect(card.locator(".price")).to_have_text("Контакт 2 ₽")
        await late.open(f"order/{order_id}")
        await expect(late.page.get_by_text("Контакт откроется после оплаты: 2 ₽")).to_be_visible()

        for executor in TAKERS:
            await recharge(http, executor, 10)
        for executor in TAKERS[:2]:
            assert (await take(http, order_id, executor)).status_code == 200
        await recharge(http, LATE, 10)
        await late.open(f"order/{order_id}")
        await expect(late.main_button()).to_be_visible()
        # The last place goes while the page is open: the take is refused, in plain words.
        assert (await take(http, order_id, TAKERS[2])).status_code == 200
        await late.main_button().click()
        await expect(late.page.get_by_text("Все места на этот заказ уже заняты.")).to_be_visible()

    await late.open()
    card = late.page.locator(f"article[data-order-id='{order_id}']")
    await expect(card).to_be_visible()
    await expect(card.locator(".price")).to_have_count(0)
    await late.open(f"order/{order_id}")
    await expect(
        late.page.get_by_text("Заказ больше не принимает исполнителей: контакт не открыть.")
    ).to_be_visible()
    await expect(late.page.get_by_text("Контакт откроется после оплаты")).to_have_count(0)
    late.assert_clean()
    owner.assert_clean()
