"""Locations in the Mini App: the position from Telegram's LocationManager (or the
browser's geolocation outside Telegram), distances on the cards of the near feed, the
exact address with the contact after the take with a map link, and the work area and duty
switch on the profile."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import expect

from srochno.geo import Point, cell_of, public_distance_km
from tests.helpers import ORDER, auth

CLIENT, EXECUTOR, GUARD = 9701, 9702, 9703
ORDER_AT = {"lat": 55.7601, "lon": 37.6252}
ME_AT = {"latitude": 55.7500, "longitude": 37.6200}  # about 1.2 km south
ADDRESS = "Пушечная ул., д. 3, подъезд 1, этаж 4"
DESCRIPTION = "Заклинило замок входной двери, нужен мастер срочно"
# What the card says: from my position to the centre of the order's cell, rounded.
SHOWN = "~{:g} км".format(
    public_distance_km(
        Point(ME_AT["latitude"], ME_AT["longitude"]), cell_of(ORDER_AT["lat"], ORDER_AT["lon"])
    )
)


async def located_order(server: str) -> str:
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        body = {
            **ORDER,
            "category": "locksmith",
            "description": DESCRIPTION,
            "location": ORDER_AT,
            "address": ADDRESS,
        }
        response = await http.post("/api/orders", json=body, headers=auth(CLIENT))
        assert response.status_code == 201, response.text
        await http.post("/api/balance/recharge", json={"amount": 10}, headers=auth(EXECUTOR))
        order_id: str = response.json()["id"]
        return order_id


async def test_near_me_in_telegram_then_the_address_after_the_take(open_user, server):
    await located_order(server)
    executor = await open_user(
        EXECUTOR, first_name="Борис", language_code="ru", stub={"location": ME_AT}
    )
    await executor.open()
    card = executor.page.locator(".order-card", has_text=DESCRIPTION)
    await expect(card).to_be_visible()
    await expect(card.locator(".distance")).to_have_count(0)
    await executor.page.get_by_text("Рядом со мной").click()
    await expect(card.locator(".distance")).to_have_text(SHOWN)
    calls = [c[0] for c in await executor.calls()]
    assert "LocationManager.getLocation" in calls
    await executor.screenshot("feed-near-me")

    await card.click()
    await expect(executor.page.locator(".hidden-contact")).to_be_visible()
    await expect(executor.page.locator(".address-value")).to_have_count(0)
    await executor.main_button().click()
    await expect(executor.page.locator(".contact-value")).to_have_text(ORDER["contact"])
    await expect(executor.page.locator(".address-value")).to_have_text(ADDRESS)
    link = executor.page.locator(".map-link")
    await expect(link).to_have_attribute("href", re.compile(r"pt=37\.6252,55\.7601"))
    await link.click()
    opened = [c for c in await executor.calls() if c[0] == "openLink"]
    assert opened
    assert "55.7601" in opened[-1][1]
    await executor.screenshot("order-taken-address")
    executor.assert_clean()


async def test_outside_telegram_the_browser_gives_the_position(open_user, server):
    await located_order(server)
    visitor = await open_user(
        None,
        signed=False,
        geolocation={"latitude": ME_AT["latitude"], "longitude": ME_AT["longitude"]},
    )
    await visitor.open()
    card = visitor.page.locator(".order-card", has_text=DESCRIPTION)
    await expect(card).to_be_visible()
    await visitor.page.get_by_text("Рядом со мной").click()
    await expect(card.locator(".distance")).to_have_text(SHOWN)


async def test_without_a_position_the_feed_stays_by_city(open_user, server):
    await located_order(server)
    user = await open_user(GUARD, first_name="Вера", language_code="ru", stub={"location": None})
    await user.open()
    await user.page.get_by_text("Рядом со мной").click()
    await expect(user.page.get_by_text("Не удалось узнать, где вы")).to_be_visible()
    await expect(user.page.locator("input[name=near]")).not_to_be_checked()
    await expect(user.page.locator(".order-card", has_text=DESCRIPTION)).to_be_visible()


async def test_the_profile_sets_the_work_area_and_goes_on_duty(open_user):
    executor = await open_user(
        EXECUTOR, first_name="Борис", language_code="ru", stub={"location": ME_AT}
    )
    await executor.open()
    await executor.go("profile")
    await expect(executor.page.locator(".area-state")).to_have_text("Зона не задана.")
    await expect(executor.page.locator("input[name=duty]")).to_be_disabled()
    await executor.page.locator("select[name=radius_km]").select_option("5")
    await executor.page.get_by_role("button", name="Задать по моему местоположению").click()
    await expect(executor.page.locator(".area-state")).to_have_text("55.7500, 37.6200 · ~5 км")
    await executor.page.locator("input[name=duty]").check()
    await expect(executor.page.locator(".duty-state")).to_contain_text("На смене до")
    await executor.screenshot("profile-on-duty")
    await executor.page.locator("input[name=duty]").uncheck()
    await expect(executor.page.locator(".duty-state")).to_have_text("Не на смене")
    executor.assert_clean()
