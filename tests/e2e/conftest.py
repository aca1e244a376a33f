"""Browser tests of the Mini App: a real ``srochno serve``, Debian's chromium driven by
Playwright, and a stand-in for Telegram's ``telegram-web-app.js``.

Without chromium (``CHROMIUM``, default ``/usr/bin/chromium``) the tests are skipped; under
``CI=true`` a missing browser is a failure. Playwright's own browser download is never used.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import init_data
from tests.servers import run_servers

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
STUB = (Path(__file__).parent / "telegram_stub.js").read_text()
ARTIFACTS = Path(__file__).parent / "artifacts"
VIEWPORT = {"width": 390, "height": 844}
TELEGRAM_SCRIPT = re.compile(r"^https://telegram\.org/js/telegram-web-app\.js")
EXTERNAL = re.compile(r"^(?!http://127\.0\.0\.1[:/])")
# What the page may legitimately log: Chromium logs every API answer >= 400 ("Failed to load
# resource"), and an order stream that ends (SSE_MAX_SECONDS) or is cut while the page
# closes. Anything else (a missing file, a CSP violation, an exception) fails.
TIMEOUT_MS = 30_000


def _browser_missing() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
    return None


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    reason = _browser_missing()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run under CI: {reason}")
        pytest.skip(reason)
    return CHROMIUM


@pytest.fixture(scope="session")
async def browser(chromium_path: Path) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=args
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    with run_servers(database_url, 1) as group:
        yield group.urls[0]


def _expected(message: Any) -> bool:
    url = str(message.location.get("url", ""))
    text = str(message.text)
    if text.startswith("Failed to load resource") and "/api/" in url:
        return True
    return "/api/orders/stream" in url or "EventSource" in text


@dataclass
class AppPage:
    """One user's Mini App in its own browser context."""

    page: Any
    base_url: str
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    async def open(self, hash_: str = "", query: str = "") -> None:
        await self.page.goto(f"{self.base_url}/app/{query}{'#/' + hash_ if hash_ else ''}")
        await self.page.locator("html[data-ready='1']").wait_for(timeout=TIMEOUT_MS)

    async def go(self, hash_: str) -> None:
        await self.page.evaluate("(h) => { location.hash = h; }", f"#/{hash_}")
        await self.page.locator(f"html[data-screen='{hash_.split('/')[0]}']").wait_for()

    def main_button(self) -> Any:
        return self.page.locator("#tg-main-button, #fallback-main").locator("visible=true")

    async def calls(self) -> list[list[Any]]:
        calls: list[list[Any]] = await self.page.evaluate("window.__tgStub.calls")
        return calls

    async def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        await self.page.screenshot(path=str(path))
        return path

    def assert_clean(self) -> None:
        assert not self.errors, self.errors
        assert not self.dialogs, self.dialogs


@pytest.fixture
async def open_user(browser: Any, server: str) -> AsyncIterator[Any]:
    """``await open_user(user_id, first_name=…, language_code=…)``: a new context whose
    Telegram stub carries that user's signed initData (``signed=False``: none, as in a
    browser outside Telegram)."""
    from playwright.async_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    contexts = []
    pages: list[AppPage] = []

    async def open_user(
        user_id: int | None,
        *,
        signed: bool = True,
        stub: dict[str, Any] | None = None,
        geolocation: dict[str, float] | None = None,
        **profile: Any,
    ) -> AppPage:
        """``geolocation``: where the browser says it is (permission granted)."""
        where: dict[str, Any] = (
            {"geolocation": geolocation, "permissions": ["geolocation"]} if geolocation else {}
        )
        context = await browser.new_context(viewport=VIEWPORT, locale="ru-RU", **where)
        contexts.append(context)
        context.set_default_timeout(TIMEOUT_MS)
        config = dict(stub or {})
        if signed and user_id is not None:
            config["initData"] = init_data(user_id, **profile)
        await context.add_init_script(f"window.__TG_STUB__ = {json.dumps(config)};")

        # Nothing leaves the machine; Telegram's script is the stub. (Requests to the server
        # are not intercepted at all, so the timings are the browser's own.)
        await context.route(EXTERNAL, lambda route: route.abort())
        await context.route(
            TELEGRAM_SCRIPT,
            lambda route: route.fulfill(body=STUB, content_type="text/javascript"),
        )
        app = AppPage(await context.new_page(), server)
        app.page.on("pageerror", lambda error: app.errors.append(f"pageerror: {error}"))
        app.page.on(
            "console",
            lambda message: (
                app.errors.append(f"console: {message.text} ({message.location})")
                if message.type == "error" and not _expected(message)
                else None
            ),
        )

        async def on_dialog(dialog: Any) -> None:
            app.dialogs.append(dialog.message)
            await dialog.dismiss()

        app.page.on("dialog", on_dialog)
        pages.append(app)
        return app

    yield open_user
    for context in contexts:
        await context.close()
