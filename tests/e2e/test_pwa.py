"""The installable app outside Telegram (SPEC §23), in Chromium: the page registers its
service worker at scope /app/, the manifest it links is valid and its icons load, the
worker's offline shell opens the page without the network and holds no API answer; inside
Telegram no worker is registered."""

from __future__ import annotations

import struct
from typing import Any

from playwright.async_api import expect

MANIFEST_FIELDS = {"name", "short_name", "start_url", "scope", "display", "icons"}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_outside_telegram_the_service_worker_and_the_manifest(
    open_user: Any, server: str
) -> None:
    app = await open_user(None, signed=False)
    await app.open("feed")
    page = app.page
    await expect(page.locator("html")).to_have_attribute("data-service-worker", "registered")
    scope = await page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == f"{server}/app/"
    script = await page.evaluate("navigator.serviceWorker.ready.then((r) => r.active.scriptURL)")
    assert script == f"{server}/app/sw.js"

    manifest_url = await page.evaluate("document.querySelector('link[rel=manifest]').href")
    assert manifest_url == f"{server}/app/manifest.webmanifest"
    answer = await page.request.get(manifest_url)
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/manifest+json")
    manifest = await answer.json()
    assert manifest.keys() >= MANIFEST_FIELDS
    assert manifest["scope"] == "/app/"
    assert manifest["start_url"].startswith("/app/")
    assert manifest["display"] in ("standalone", "fullscreen", "minimal-ui")
    sizes = set()
    for icon in manifest["icons"]:
        url = f"{server}/app/{icon['src']}"
        got = await page.request.get(url)
        assert got.status == 200, url
        assert got.headers["content-type"].startswith(icon["type"])
        if icon["type"] == "image/png":
            width, height = png_size(await got.body())
            assert icon["sizes"] == f"{width}x{height}"
            sizes.add(width)
    assert {192, 512} <= sizes, "installable: a 192 and a 512 px icon"
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    app.assert_clean()

    # Controlled by the worker after a reload; then the network goes away.
    await page.reload()
    await page.locator("html[data-ready='1']").wait_for()
    assert await page.evaluate("Boolean(navigator.serviceWorker.controller)")
    await page.context.set_offline(True)
    try:
        await page.reload()
        await page.locator("html[data-ready='1']").wait_for()
        assert await page.locator("#tabs a").count() == 5, "the shell works offline"
    finally:
        await page.context.set_offline(False)
    cached = await page.evaluate(
        """async () => {
            const urls = [];
            for (const name of await caches.keys()) {
                const cache = await caches.open(name);
                for (const request of await cache.keys()) urls.push(request.url);
            }
            return urls;
        }"""
    )
    assert f"{server}/app/" in cached
    assert f"{server}/app/js/main.js" in cached
    assert not [url for url in cached if "/api/" in url], "no API answer is ever cached"


async def test_inside_telegram_no_service_worker_is_registered(open_user: Any) -> None:
    app = await open_user(7301)
    await app.open("feed")
    page = app.page
    await expect(page.locator("#tabs a")).to_have_count(5)
    registrations = await page.evaluate(
        "navigator.serviceWorker.getRegistrations().then((r) => r.length)"
    )
    assert registrations == 0
    assert await page.evaluate("document.documentElement.dataset.serviceWorker") is None
    app.assert_clean()
