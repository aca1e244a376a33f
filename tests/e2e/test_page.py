"""The Mini App's behaviour one concern at a time: hostile text stays text, the English UI
and the development sign-in outside Telegram, Telegram's theme, buttons and safe areas,
every error code's message, the form's rules, and the first-load budget."""

from __future__ import annotations

import gzip

import httpx
from playwright.async_api import expect

from srochno.app import create_app
from srochno.error_handlers import HTTP_CODES
from srochno.errors import AppError
from tests.conftest import make_settings
from tests.e2e.test_journey import CONTACT, post_order
from tests.helpers import auth, recharge

PROBE = "<img src=x onerror=alert(1)>"
PROBE_DESCRIPTION = f"{PROBE} Сломался замок, нужен мастер срочно"
BUDGET_BYTES = 100 * 1024
DARK_THEME = {
    "bg_color": "#17212b",
    "text_color": "#f5f5f5",
    "hint_color": "#708499",
    "link_color": "#6ab3f3",
    "button_color": "#5288c1",
    "button_text_color": "#ffffff",
    "secondary_bg_color": "#232e3c",
    "section_bg_color": "#17212b",
    "accent_text_color": "#6ab2f2",
    "destructive_text_color": "#ec3942",
}


async def test_hostile_description_renders_as_inert_text(open_user):
    client = await open_user(9201, first_name="Вера")
    executor = await open_user(9202, first_name="Глеб")
    await executor.open()
    await client.open()
    await post_order(client, PROBE_DESCRIPTION)
    await client.main_button().click()
    await expect(client.page.locator(".description.full")).to_have_text(PROBE_DESCRIPTION)

    card = executor.page.locator(".order-card", has_text=PROBE)
    await expect(card.locator(".description")).to_have_text(PROBE_DESCRIPTION)
    await card.click()
    await expect(executor.page.locator(".description.full")).to_have_text(PROBE_DESCRIPTION)
    for app in (client, executor):
        assert await app.page.locator("img").count() == 0
        assert await app.page.evaluate("document.querySelectorAll('img').length") == 0
        app.assert_clean()  # no dialog opened, no error, no CSP violation


async def test_errors_are_explained_in_plain_words(open_user, server):
    app = await open_user(9401, first_name="Дина")
    await app.open()
    await post_order(app, "Нужен мастер, пишите в телеграм @master_ivan, срочно")
    await app.main_button().click()
    await expect(app.page.locator(".field-error").locator("visible=true")).to_contain_text(
        "контакт видят только исполнители, которые оплатили заказ"
    )
    # Taking without money: the reason and a way to top up.
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        response = await http.post(
            "/api/orders",
            json={
                "category": "cargo",
                "description": "Перевезти диван на соседнюю улицу",
                "city": "Казань",
                "contact": CONTACT,
            },
            headers=auth(9402),
        )
        order_id = response.json()["id"]
    await app.go(f"order/{order_id}")
    await app.main_button().click()
    alert = app.page.get_by_role("alert")
    await expect(alert).to_contain_text("Недостаточно денег на балансе. Пополните баланс.")
    await expect(alert.get_by_role("link", name="Пополнить баланс")).to_be_visible()
    haptics = [c for c in await app.calls() if c[0] == "HapticFeedback.notificationOccurred"]
    assert haptics[-1] == ["HapticFeedback.notificationOccurred", "error"]
    app.assert_clean()


async def test_telegram_theme_buttons_and_safe_areas(open_user, server):
    app = await open_user(9501, first_name="Ева", stub={"safeAreaInset": {"top": 24, "bottom": 30}})
    await app.open()
    calls = [c[0] for c in await app.calls()]
    assert "ready" in calls
    assert "expand" in calls
    body = app.page.locator("body")
    await expect(body).to_have_css("background-color", "rgb(255, 255, 255)")
    await expect(body).to_have_css("padding-top", "24px")
    await expect(body).to_have_css("padding-bottom", "54px")

    await app.page.evaluate("(theme) => __tgStub.setTheme(theme, 'dark')", DARK_THEME)
    await expect(body).to_have_css("background-color", "rgb(23, 33, 43)")
    await expect(body).to_have_css("color", "rgb(245, 245, 245)")
    await expect(app.page.locator("html")).to_have_attribute("data-scheme", "dark")
    await app.page.evaluate("__tgStub.setSafeArea({top: 40})")
    await expect(body).to_have_css("padding-top", "40px")
    await app.screenshot("feed-dark")

    # The main action is Telegram's MainButton; the BackButton leads back from a sub-screen.
    back = app.page.locator("#tg-back-button")
    await expect(back).to_be_hidden()
    await app.main_button().click()
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "post")
    await expect(app.main_button()).to_have_text("Опубликовать")
    await back.click()
    await expect(app.page.locator("html")).to_have_attribute("data-screen", "feed")
    await expect(back).to_be_hidden()
    # No page button stands in for Telegram's own.
    await expect(app.page.locator("#fallback-main")).to_be_hidden()
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        await recharge(http, 9501, 5)
    await app.go("balance")
    await expect(app.page.locator(".balance-amount")).to_have_text("5 ₽")
    await expect(app.main_button()).to_have_text("Оплатить 100 ★")
    app.assert_clean()


def api_error_codes() -> set[str]:
    """Every code the API can answer with: the AppError classes, the HTTP fallbacks, the
    handlers' own, and the examples in the OpenAPI document."""
    import importlib
    import pkgutil

    import srochno

    for module in pkgutil.walk_packages(srochno.__path__, "srochno."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    codes: set[str] = set(HTTP_CODES.values()) | {"validation_error", "internal_error"}
    pending: list[type[AppError]] = [AppError]
    while pending:
        error = pending.pop()
        codes.add(error.code)
        pending.extend(error.__subclasses__())
    document = create_app(make_settings("postgresql://unused@localhost/unused")).openapi()
    for operations in document["paths"].values():
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                for media in answer.get("content", {}).values():
                    codes.update(media.get("examples", {}))
    return codes


async def test_every_api_error_code_has_a_russian_and_an_english_message(open_user, server):
    codes = sorted(api_error_codes())
    assert {"order_full", "insufficient_balance", "not_found", "auth_missing"} <= set(codes)
    app = await open_user(9601)
    await app.open()
    missing = await app.page.evaluate(
        """async (codes) => {
            const { ERRORS } = await import('/app/js/i18n.js');
            return Object.fromEntries(['ru', 'en'].map((lang) =>
                [lang, codes.filter((code) => !ERRORS[lang][code])]));
        }""",
        codes,
    )
    assert missing == {"ru": [], "en": []}


async def test_form_rules_are_the_api_rules(open_user, server):
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        schema = (await http.get("/openapi.json")).json()["components"]["schemas"]["OrderCreate"]
    expected = {
        name: {
            "min": schema["properties"][name]["minLength"],
            "max": schema["properties"][name]["maxLength"],
        }
        for name in ("description", "city", "contact")
    }
    app = await open_user(9602)
    await app.open()
    limits = await app.page.evaluate("import('/app/js/rules.js').then((m) => m.ORDER_LIMITS)")
    assert limits == expected
    # Lengths count the trimmed text in code points, as the API does.
    counted = await app.page.evaluate(
        "import('/app/js/rules.js').then((m) => m.length('\\u200b  ab😀 \\u2060'))"
    )
    assert counted == 3


async def test_first_load_bytes_and_time_to_usable(open_user, server):
    app = await open_user(9701)
    sizes: dict[str, int] = {}

    async def on_response(response) -> None:
        kind = response.request.resource_type
        if kind in ("script", "stylesheet") and response.url.startswith(server):
            sizes[response.url] = (await response.request.sizes())["responseBodySize"]

    app.page.on("response", on_response)
    await app.open()
    await expect(app.page.locator(".empty")).to_be_visible()
    usable_ms = await app.page.evaluate(
        "performance.getEntriesByName('srochno-usable')[0].startTime"
    )
    loaded_ms = await app.page.evaluate(
        "performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
    )
    wire = sum(sizes.values())
    raw = gzipped = 0
    async with httpx.AsyncClient(base_url=server, trust_env=False, timeout=60) as http:
        for url in sizes:
            body = (await http.get(url, headers={"Accept-Encoding": "identity"})).content
            raw += len(body)
            gzipped += len(gzip.compress(body, 9, mtime=0))
    print(
        f"\nfirst load: {len(sizes)} JS+CSS files, {raw} bytes, {gzipped} bytes gzipped "
        f"({wire} on the wire); DOMContentLoaded {loaded_ms:.0f} ms, usable {usable_ms:.0f} ms"
    )
    assert len(sizes) >= 10  # every module was fetched and counted
    assert 0 < wire <= BUDGET_BYTES
    assert gzipped <= BUDGET_BYTES
    app.assert_clean()
