"""Web sign-in by e-mail (SPEC §23): the link arrives at a real SMTP server on loopback,
opens a session cookie; the cookie signs requests in like initData, writes need the CSRF
header, logout ends the session on the server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno import clock
from srochno.config import Settings
from srochno.schemas import EmailAddress
from tests.helpers import ORDER, auth, scalar
from tests.mailserver import MailServer, parts, sign_in_token

CSRF = {"X-Srochno-CSRF": "1"}


@pytest.fixture
async def browser(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client over https (the session cookie is ``Secure``) keeping its cookies."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://srochno.test") as c:
        yield c


async def ask_link(client: httpx.AsyncClient, email: str, **extra: Any) -> httpx.Response:
    return await client.post("/api/auth/email", json={"email": email, **extra})


async def sign_in(client: httpx.AsyncClient, mail: MailServer, email: str) -> dict[str, Any]:
    count = len(mail.received(email))
    response = await ask_link(client, email)
    assert response.status_code == 202, response.text
    message = await mail.await_for(lambda m: len(mail.received(email)) > count)
    message = mail.received(email)[-1]
    response = await client.post("/api/auth/email/verify", json={"token": sign_in_token(message)})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_a_link_signs_a_new_web_account_in(
    browser: httpx.AsyncClient,
    mail: MailServer,
    email_on: Settings,
    engine: AsyncEngine,
    override_settings: Any,
) -> None:
    # Served over https: the cookie is Secure.
    override_settings(
        public_url="https://srochno.test", smtp_url=mail.url, email_from=email_on.email_from
    )
    response = await ask_link(browser, "Anna@Example.COM", lang="en")
    assert response.status_code == 202
    message = await mail.await_for(lambda m: m["To"] == "anna@example.com")
    text, html = parts(message)
    assert "/app/#/signin/" in text
    assert "/app/#/signin/" in html
    assert message["Subject"] == "Sign in to Srochno"
    token = sign_in_token(message)
    assert (
        await scalar(engine, "SELECT count(*) FROM email_sign_ins WHERE token_hash = :t", t=token)
        == 0
    ), "only a hash of the token is stored"

    verified = await browser.post("/api/auth/email/verify", json={"token": token})
    assert verified.status_code == 200, verified.text
    cookie = verified.headers["set-cookie"]
    assert "srochno_session=" in cookie
    lowered = cookie.lower()
    assert "httponly" in lowered
    assert "secure" in lowered
    assert "samesite=lax" in lowered
    user_id = verified.json()["user_id"]
    assert user_id < 0, "web accounts never share Telegram's (positive) ids"

    me = await browser.get("/api/users/me")
    assert me.status_code == 200, me.text
    assert me.json()["id"] == user_id
    assert me.json()["language_code"] == "en"

    again = await browser.post("/api/auth/email/verify", json={"token": token})
    assert again.status_code == 404
    assert again.json()["code"] == "sign_in_link_invalid"


async def test_the_same_address_signs_in_to_the_same_account(
    browser: httpx.AsyncClient, mail: MailServer, email_on: Settings
) -> None:
    first = await sign_in(browser, mail, "same@example.com")
    browser.cookies.clear()
    second = await sign_in(browser, mail, "same@example.com")
    assert first["user_id"] == second["user_id"]
    other = await sign_in(browser, mail, "other@example.com")
    assert other["user_id"] != first["user_id"]
    assert other["user_id"] < 0


async def test_an_expired_link_opens_nothing(
    browser: httpx.AsyncClient, mail: MailServer, email_on: Settings
) -> None:
    await ask_link(browser, "late@example.com")
    token = sign_in_token(await mail.await_for(lambda m: m["To"] == "late@example.com"))
    clock.advance(email_on.email_link_lifetime + timedelta(seconds=1))
    response = await browser.post("/api/auth/email/verify", json={"token": token})
    assert response.status_code == 404
    assert response.json()["code"] == "sign_in_link_invalid"
    assert (await browser.get("/api/users/me")).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"email": "not an address"},
        {"email": "a@b"},
        {"email": "x" * 250 + "@example.com"},
        {"email": "x@ex\u200bample.com"},
        {"email": "x@exam\uff0eple.com"},
        {"email": "мастер@пример.рф"},
        {},
        {"email": "ok@example.com", "lang": "de"},
    ],
)
async def test_bad_requests_are_refused(browser: httpx.AsyncClient, body: dict[str, Any]) -> None:
    response = await browser.post("/api/auth/email", json=body)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_an_internationalised_domain_signs_in_by_its_ascii_form(
    browser: httpx.AsyncClient, mail: MailServer, email_on: Settings
) -> None:
    """``.рф`` and other IDN domains: the mail goes to the ASCII form, the one stored."""
    assert (await ask_link(browser, "ivan@пример.рф")).status_code == 202
    message = await mail.await_for(lambda m: m["To"] == "ivan@xn--e1afmkfd.xn--p1ai")
    verified = await browser.post("/api/auth/email/verify", json={"token": sign_in_token(message)})
    assert verified.status_code == 200, verified.text
    browser.cookies.clear()
    ascii_form = await sign_in(browser, mail, "ivan@xn--e1afmkfd.xn--p1ai")
    assert ascii_form["user_id"] == verified.json()["user_id"]


ADDRESSES = TypeAdapter(EmailAddress)


@given(st.text(st.characters(codec="utf-8"), max_size=80), st.text(max_size=80))
def test_an_accepted_address_is_one_an_smtp_server_takes(local: str, domain: str) -> None:
    """Whatever is typed: an address taken is ASCII, one line, within 254 characters."""
    for typed in (f"{local}@{domain}", f"{local}@{domain}.ru", f"ivan@{domain}"):
        try:
            address = ADDRESSES.validate_python(typed)
        except ValidationError:
            continue
        assert address.isascii(), address
        assert address.isprintable(), address
        assert len(address) <= 254
        assert " " not in address


@pytest.mark.parametrize("token", ["short", "x" * 200, "bad token with spaces!!!!"])
async def test_malformed_tokens_are_refused(browser: httpx.AsyncClient, token: str) -> None:
    response = await browser.post("/api/auth/email/verify", json={"token": token})
    assert response.status_code == 422


async def test_cookie_writes_need_the_csrf_header(
    browser: httpx.AsyncClient, mail: MailServer, email_on: Settings, engine: AsyncEngine
) -> None:
    session = await sign_in(browser, mail, "client@example.com")
    refused = await browser.post("/api/orders", json=ORDER)
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_header_missing"
    created = await browser.post("/api/orders", json=ORDER, headers=CSRF)
    assert created.status_code == 201, created.text
    order = created.json()
    assert order["is_owner"] is True
    mine = (await browser.get("/api/users/me/orders")).json()
    assert [o["id"] for o in mine["items"]] == [order["id"]]
    assert session["user_id"] < 0
    assert order["contact"] == ORDER["contact"], "the owner sees their own contact"


async def test_a_telegram_executor_takes_a_web_clients_order(
    browser: httpx.AsyncClient,
    client: httpx.AsyncClient,
    mail: MailServer,
    email_on: Settings,
) -> None:
    """Every rule holds across the two kinds: the take pays, the contact is shown to the
    taker only, and the web client completes and rates a Telegram executor."""
    session = await sign_in(browser, mail, "owner@example.com")
    order = (await browser.post("/api/orders", json=ORDER, headers=CSRF)).json()
    listed = (await client.get("/api/orders")).json()["items"]
    assert [item.get("contact") for item in listed] == [None]
    await client.post("/api/balance/recharge", json={"amount": 10}, headers=auth(501))
    taken = await client.post(f"/api/orders/{order['id']}/take", headers=auth(501))
    assert taken.status_code == 200, taken.text
    assert taken.json()["order"]["contact"] == ORDER["contact"]
    responded = await browser.post(f"/api/orders/{order['id']}/respond", headers=CSRF)
    assert responded.status_code == 200, responded.text
    done = await browser.post(
        f"/api/orders/{order['id']}/complete", json={"executor_id": 501}, headers=CSRF
    )
    assert done.status_code == 200, done.text
    public = await client.get(f"/api/users/{session['user_id']}")
    assert public.status_code == 200
    assert "email" not in public.json()


async def test_a_web_executor_takes_an_order(
    browser: httpx.AsyncClient, client: httpx.AsyncClient, mail: MailServer, email_on: Settings
) -> None:
    session = await sign_in(browser, mail, "executor@example.com")
    order = (await client.post("/api/orders", json=ORDER, headers=auth(601))).json()
    no_money = await browser.post(f"/api/orders/{order['id']}/take", headers=CSRF)
    assert no_money.status_code == 402, no_money.text
    topped = await browser.post("/api/balance/recharge", json={"amount": 5}, headers=CSRF)
    assert topped.status_code == 200, topped.text
    taken = await browser.post(f"/api/orders/{order['id']}/take", headers=CSRF)
    assert taken.status_code == 200, taken.text
    assert taken.json()["order"]["contact"] == ORDER["contact"]
    assert taken.json()["balance"] == 3
    takers = await client.get(f"/api/orders/{order['id']}/takers", headers=auth(601))
    assert [t["executor_id"] for t in takers.json()] == [session["user_id"]]


async def test_logout_ends_the_session_on_the_server(
    browser: httpx.AsyncClient, mail: MailServer, email_on: Settings, engine: AsyncEngine
) -> None:
    await sign_in(browser, mail, "leaving@example.com")
    cookie = browser.cookies.get("srochno_session")
    assert cookie is not None
    assert (await browser.post("/api/auth/logout")).status_code == 403
    assert (await browser.post("/api/auth/logout", headers=CSRF)).status_code == 204
    assert await scalar(engine, "SELECT count(*) FROM web_sessions") == 0
    # The old cookie, replayed, opens nothing.
    replay = await browser.get("/api/users/me", headers={"Cookie": f"srochno_session={cookie}"})
    assert (replay.status_code, replay.json()["code"]) == (401, "session_expired")
    # So does a forged one; no cookie at all is the Telegram sign-in missing.
    forged = await browser.get("/api/users/me", headers={"Cookie": "srochno_session=forged"})
    assert (forged.status_code, forged.json()["code"]) == (401, "session_expired")
    browser.cookies.clear()
    assert (await browser.get("/api/users/me")).json()["code"] == "auth_missing"


async def test_an_unknown_address_answers_like_a_known_one(
    browser: httpx.AsyncClient, mail: MailServer, email_on: Settings
) -> None:
    await sign_in(browser, mail, "known@example.com")
    known = await ask_link(browser, "known@example.com")
    unknown = await ask_link(browser, "nobody@example.com")
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


async def test_links_are_limited_per_address_and_per_ip(
    browser: httpx.AsyncClient, mail: MailServer, override_settings: Any
) -> None:
    override_settings(
        smtp_url=mail.url,
        email_from="no-reply@srochno.test",
        rate_email_per_hour=2,
        rate_email_ip_per_hour=4,
    )
    for _ in range(3):
        assert (await ask_link(browser, "flood@example.com")).status_code == 202
    assert len(mail.received("flood@example.com")) == 2, "the third was not sent"
    assert (await ask_link(browser, "second@example.com")).status_code == 202
    limited = await ask_link(browser, "third@example.com")
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
