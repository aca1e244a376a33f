"""The Mini App's route and the development initData endpoint, over HTTP (no browser)."""

from __future__ import annotations

import gzip
import os
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from srochno.auth.telegram import validate_init_data
from srochno.config import Environment
from srochno.webapp import router as webapp
from tests.helpers import TEST_BOT_TOKEN, unix_now

STATIC = Path(webapp.__file__).parent / "static"
BUDGET_BYTES = 100 * 1024


async def test_the_page_is_served_with_a_strict_content_security_policy(client):
    response = await client.get("/app/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self' https://telegram.org"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    for asset in ("app.css", "js/main.js"):
        served = await client.get(f"/app/{asset}")
        assert served.status_code == 200
        assert served.headers["content-security-policy"] == policy


async def test_telegram_script_comes_first_and_nothing_is_inline(client):
    page = (await client.get("/app/")).text
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts[0] == '<script src="https://telegram.org/js/telegram-web-app.js">'
    assert all(" src=" in tag for tag in scripts), "no inline scripts"
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", page)
    assert not re.search(r"\son[a-z]+\s*=", page), "no inline event handlers"
    assert " style=" not in page


def test_scripts_never_parse_html():
    for path in STATIC.rglob("*.js"):
        source = path.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{path.name} uses {sink}"


async def test_files_are_gzipped_cached_by_etag_and_unknown_ones_are_404(client):
    response = await client.get("/app/js/main.js", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("text/javascript")
    etag = response.headers["etag"]
    again = await client.get("/app/js/main.js", headers={"If-None-Match": etag})
    assert again.status_code == 304
    missing = await client.get("/app/js/nothing.js")
    assert missing.status_code == 404
    assert missing.json() == {"detail": "Not Found", "code": "not_found"}
    assert (await client.get("/app/../pyproject.toml")).status_code == 404
    redirect = await client.get("/app")
    assert redirect.status_code == 308
    assert redirect.headers["location"] == "/app/"


def test_first_load_fits_the_budget():
    """Every JS and CSS file the page preloads, gzipped, is at most 100 KB."""
    total = sum(
        len(gzip.compress(path.read_bytes(), 9))
        for path in STATIC.rglob("*")
        if path.suffix in (".js", ".css")
    )
    print(f"first load: {total} bytes of JS+CSS gzipped")
    assert total <= BUDGET_BYTES


async def test_dev_tools_flag_follows_dev_recharge(client, override_settings):
    assert 'data-dev-tools="on"' in (await client.get("/app/")).text
    override_settings(environment=Environment.production)
    assert 'data-dev-tools="off"' in (await client.get("/app/")).text


def generated_token(override_settings):
    """Settings whose bot token counts as the generated development one."""
    settings = override_settings()
    settings._generated_token = True
    return settings


async def test_dev_init_data_is_signed_for_the_configured_token(client, override_settings):
    generated_token(override_settings)
    response = await client.get(
        "/api/dev/init-data",
        params={"user_id": 77, "first_name": "Ольга", "language_code": "en"},
    )
    assert response.status_code == 200
    raw = response.json()["init_data"]
    checked = validate_init_data(
        raw, bot_token=TEST_BOT_TOKEN, max_age_seconds=60, now=float(unix_now())
    )
    assert checked.user.id == 77
    assert '"first_name":"Ольга"' in parse_qs(raw)["user"][0]
    assert '"language_code":"en"' in parse_qs(raw)["user"][0]
    me = await client.get("/api/users/me", headers={"Authorization": f"tma {raw}"})
    assert me.json()["first_name"] == "Ольга"


@pytest.mark.parametrize("params", [{"user_id": 77}, {}, {"user_id": "x"}])
async def test_dev_init_data_is_404_when_dev_recharge_is_off(client, override_settings, params):
    override_settings(environment=Environment.production)
    response = await client.get("/api/dev/init-data", params=params)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found", "code": "not_found"}


async def test_dev_init_data_needs_the_generated_token_whatever_dev_recharge_says(client):
    # The test token is a "real" one and DEV_RECHARGE=true: free money, but no initData
    # signed for anyone (that would let anyone act as anyone).
    response = await client.get("/api/dev/init-data", params={"user_id": 77})
    assert response.status_code == 404


async def test_dev_init_data_rejects_bad_input(client, override_settings):
    generated_token(override_settings)
    for params in ({"user_id": 0}, {"user_id": 1, "language_code": "e n"}, {}):
        response = await client.get("/api/dev/init-data", params=params)
        assert response.status_code == 422, params


async def test_development_serves_a_changed_file_without_a_restart(client, tmp_path, monkeypatch):
    (tmp_path / "index.html").write_text('<html data-dev-tools="off">one</html>')
    monkeypatch.setattr(webapp, "STATIC_DIR", tmp_path)
    assert (await client.get("/app/")).text.endswith("one</html>")
    page = tmp_path / "index.html"
    page.write_text('<html data-dev-tools="off">two</html>')
    stat = page.stat()
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert (await client.get("/app/")).text.endswith("two</html>")


async def test_ruble_topups_are_offered_only_when_configured(client, override_settings):
    assert 'data-topups="off"' in (await client.get("/app/")).text
    override_settings(
        yookassa_shop_id="1", yookassa_secret_key="test_k", topup_min_rub=150, topup_max_rub=9000
    )
    assert 'data-topups="150-9000"' in (await client.get("/app/")).text
    assert 'data-topups="150-9000"' in (await client.get("/app/index.html")).text
