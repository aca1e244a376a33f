"""The feed says what is going on: a failing list stays on screen as an error with a retry
(not a toast and an empty "live" list), and an empty list names the filter."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import expect

USER = 9401
LIST = re.compile(r"/api/orders(\?|$)")


async def test_a_failing_feed_shows_an_error_with_a_retry_until_it_loads(open_user):
    app = await open_user(USER, language_code="ru")

    async def unavailable(route):
        await route.fulfill(
            status=503,
            content_type="application/json",
            body='{"code": "database_unavailable", "message": "down"}',
        )

    await app.page.route(LIST, unavailable)
    await app.open()
    error = app.page.locator(".feed-error")
    await expect(error).to_be_visible()
    await expect(error.get_by_role("button", name="Повторить")).to_be_visible()
    await expect(app.page.get_by_text("обновляется сама")).to_have_count(0)

    await app.page.unroute(LIST)
    await error.get_by_role("button", name="Повторить").click()
    await expect(app.page.locator(".feed-error")).to_have_count(0)
    await expect(app.page.locator(".empty")).to_be_visible()


async def test_an_empty_filtered_feed_names_the_filter(open_user):
    app = await open_user(USER + 1, language_code="ru")
    await app.open()
    await expect(app.page.locator(".empty")).to_contain_text("Сейчас нет активных заказов")
    await app.page.locator("select[name=category]").select_option("plumbing")
    await expect(app.page.locator(".empty")).to_contain_text("По этому городу и категории")
    app.assert_clean()


async def test_the_feed_shows_skeletons_while_it_loads(open_user):
    app = await open_user(USER + 2, language_code="ru")
    release = asyncio.Event()

    async def slow(route):
        await release.wait()
        await route.continue_()

    await app.page.route(LIST, slow)
    await app.page.goto(f"{app.base_url}/app/")
    skeletons = app.page.locator(".order-card.skeleton")
    await expect(skeletons).to_have_count(3)
    await expect(skeletons.first).to_have_attribute("aria-hidden", "true")
    release.set()
    await expect(app.page.locator(".empty")).to_be_visible()
    await expect(skeletons).to_have_count(0)
