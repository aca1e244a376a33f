"""Signing in and out of the admin panel, its cookie, its rate limit and CSRF."""

from __future__ import annotations

from datetime import timedelta

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from srochno import clock
from srochno.admin.setup import SecurityHeaders, cookie_secure
from srochno.enums import AdminRole
from srochno.staff.errors import LoginFailed, LoginRateLimited
from srochno.staff.service import create_operator, sign_in
from tests.admin.conftest import PASSWORD
from tests.admin.test_cli import admin
from tests.conftest import make_settings
from tests.helpers import scalar


async def test_sign_in_shows_the_dashboard_and_sign_out_ends_the_session(browser):
    assert (await browser.client.get("/admin/")).status_code == 303  # to the sign-in page
    response = await browser.login("boss")
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert "srochno_admin=" in cookie
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower()
    assert "path=/admin" in cookie.lower()
    page = await browser.client.get("/admin/")
    assert page.status_code == 200
    assert "Last 30 days" in page.text
    assert "boss" in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert "rsms.me" not in page.text  # nothing loaded from outside the service

    assert (await browser.logout()).status_code == 303
    assert (await browser.client.get("/admin/")).status_code == 303
    assert (await browser.client.get("/admin/api/stats")).status_code == 401


async def test_a_wrong_password_or_name_signs_nobody_in(browser):
    for name, password in (("boss", "wrong password"), ("nobody", PASSWORD), ("boss", "")):
        response = await browser.login(name, password)
        assert response.status_code == 400
        assert "Wrong name or password" in response.text
        assert "srochno_admin=" not in response.headers.get("set-cookie", "")
    assert (await browser.client.get("/admin/users/list")).status_code == 303


async def test_sign_in_attempts_are_limited_per_name_and_per_address(
    browser, override_settings, engine
):
    override_settings(admin_login_max_attempts=3, admin_login_max_attempts_per_ip=5)
    for _ in range(3):
        assert (await browser.login("boss", "guess")).status_code == 400
    refused = await browser.login("boss")  # the right password, too late
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "900"  # the window: 15 minutes
    assert "Too many sign-in attempts" in refused.text
    # The same address trying another name runs into the per-address limit.
    assert (await browser.login("mod", "guess")).status_code == 400
    refused = await browser.login("mod")
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.text
    assert await scalar(engine, "SELECT count(*) FROM admin_login_attempts") == 6

    clock.advance(timedelta(minutes=16))  # the window has passed
    assert (await browser.login("boss")).status_code == 303
    # A successful sign-in forgets that name's attempts from this address.
    remaining = "SELECT count(*) FROM admin_login_attempts WHERE name = 'boss'"
    assert await scalar(engine, remaining) == 0


async def test_every_post_needs_the_csrf_token(boss, app, engine):
    user_id = 900
    async with app.state.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, first_name, created_at, updated_at) "
            "VALUES ($1, 'X', now(), now())",
            user_id,
        )
    url = "/admin/_api/users/row-action"
    params = {"pk": str(user_id), "name": "ban"}
    missing = await boss.client.post(url, params=params, data={"reason": "spam"})
    assert missing.status_code == 403
    forged = await boss.client.post(
        url, params=params, data={"reason": "spam"}, headers={"X-CSRFToken": "forged"}
    )
    assert forged.status_code == 403
    in_form = await boss.client.post(
        url, params=params, data={"reason": "spam", "csrftoken": "forged"}
    )
    assert in_form.status_code == 403
    assert await scalar(engine, "SELECT is_banned FROM users WHERE id = :id", id=user_id) is False
    assert await scalar(engine, "SELECT count(*) FROM admin_actions") == 0
    # Sign-in and sign-out are POSTs too.
    assert (await boss.client.post("/admin/logout")).status_code == 403
    login = await boss.client.post("/admin/login", data={"username": "boss", "password": PASSWORD})
    assert login.status_code == 403

    await boss.act("users", user_id, "ban", reason="spam")
    assert await scalar(engine, "SELECT is_banned FROM users WHERE id = :id", id=user_id) is True


def test_the_cookie_is_secure_in_production_and_behind_https(database_url):
    assert not cookie_secure(make_settings(database_url))
    assert cookie_secure(make_settings(database_url, admin_cookie_secure=True))
    production = make_settings(
        database_url, environment="production", secret_key="k" * 32, telegram_bot_token="1:x"
    )
    assert cookie_secure(production)


async def test_the_csrf_cookie_is_secure_when_the_session_cookie_is():
    async def page(request: Request) -> Response:
        response = PlainTextResponse("ok")
        response.set_cookie("starlette_admin_csrftoken", "t", samesite="lax")  # as the library
        response.set_cookie("other", "x")
        return response

    for secure in (False, True):
        app = SecurityHeaders(Starlette(routes=[Route("/", page)]), secure=secure)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            response = await client.get("/")
        cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
        assert ("; Secure" in cookies[0]) is secure
        assert "secure" not in cookies[1].lower()


async def test_an_attacker_cannot_lock_the_operator_out(app, operators, override_settings):
    settings = override_settings(
        admin_login_max_attempts=3,
        admin_login_max_attempts_per_ip=50,
        admin_login_max_attempts_per_name=10,
    )

    async def attempt(address: str, password: str) -> str:
        try:
            async with app.state.db.connection() as conn:
                await sign_in(conn, settings, "boss", password, address)
        except LoginRateLimited:
            return "limited"
        except LoginFailed:
            return "failed"
        return "in"

    # Wrong passwords from one address lock that address out, not the operator's own.
    assert [await attempt("203.0.113.1", "guess") for _ in range(4)] == ["failed"] * 3 + ["limited"]
    assert await attempt("198.51.100.7", PASSWORD) == "in"
    assert await attempt("203.0.113.1", PASSWORD) == "limited"

    # From many addresses at once: past the name's cap, new addresses are refused, but
    # the address the operator signed in from before still gets through.
    for i in range(10):
        await attempt(f"192.0.2.{i}", "guess")
    assert await attempt("192.0.2.200", PASSWORD) == "limited"
    assert await attempt("198.51.100.7", PASSWORD) == "in"


async def replayed(app, cookie: str) -> tuple[int, int]:
    """A cookie copied before, sent by another client: the panel's answer, and the stats'."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as thief:
        thief.cookies.set("srochno_admin", cookie, path="/admin")
        return (
            (await thief.get("/admin/")).status_code,
            (await thief.get("/admin/api/stats")).status_code,
        )


async def test_a_cookie_replayed_after_sign_out_is_refused(app, boss):
    cookie = boss.client.cookies["srochno_admin"]
    assert await replayed(app, cookie) == (200, 200)  # a copy works while the session lives
    assert (await boss.logout()).status_code == 303
    assert await replayed(app, cookie) == (303, 401)  # ended in the database, not only here
    async with app.state.db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM admin_sessions") == 0


async def test_disabling_an_operator_or_changing_their_role_ends_their_sessions(
    app, database_url, boss, mod
):
    boss_cookie = boss.client.cookies["srochno_admin"]
    mod_cookie = mod.client.cookies["srochno_admin"]
    assert admin(database_url, "role", "mod", "admin").returncode == 0
    assert await replayed(app, mod_cookie) == (303, 401)
    assert (await mod.client.get("/admin/")).status_code == 303
    assert await replayed(app, boss_cookie) == (200, 200)  # nobody else is signed out

    assert admin(database_url, "disable", "boss").returncode == 0
    assert await replayed(app, boss_cookie) == (303, 401)
    assert admin(database_url, "disable", "boss", "--enable").returncode == 0
    assert await replayed(app, boss_cookie) == (303, 401)  # enabled again: signs in anew
    assert (await boss.login("boss")).status_code == 303
    assert (await boss.client.get("/admin/")).status_code == 200


async def test_a_new_password_ends_the_operator_sessions(app, boss):
    cookie = boss.client.cookies["srochno_admin"]
    async with app.state.db.transaction() as conn:
        await create_operator(conn, "boss", AdminRole.admin, "another password", reset=True)
    assert await replayed(app, cookie) == (303, 401)


async def test_a_session_ends_when_it_expires(app, boss):
    cookie = boss.client.cookies["srochno_admin"]
    clock.advance(timedelta(hours=app.state.settings.admin_session_hours, seconds=1))
    assert await replayed(app, cookie) == (303, 401)
