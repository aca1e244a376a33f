"""A Telegram account adds a verified e-mail address (SPEC §23) through a real SMTP server
on loopback: the confirmation link e-mailed to the address, opened, stores it on the
account, and the account's notifications then reach it by e-mail too. Such a link signs
nobody in; a sign-in link confirms nothing."""

from __future__ import annotations

import asyncio
import re
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno.config import Settings
from tests.helpers import ORDER, auth, recharge, scalar, take, until
from tests.mailserver import MailServer, parts, sign_in_token
from tests.notifications.conftest import add_user
from tests.notifications.test_email import FROM, session_cookie, web_account

PATH = "/api/users/me/email"
CONFIRM_LINK = re.compile(r"(/api/email/confirm\?t=[A-Za-z0-9_-]+)")


def confirm_path(message: EmailMessage) -> str:
    found = CONFIRM_LINK.search(parts(message)[0])
    assert found, "no confirmation link in the e-mail"
    return found.group(1)


async def address_of(engine: AsyncEngine, user_id: int) -> tuple[str | None, bool]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text("SELECT email, email_notifications FROM users WHERE id = :id"),
                {"id": user_id},
            )
        ).one()
        return row.email, row.email_notifications


async def ask(client: httpx.AsyncClient, user_id: int, email: str, **extra: Any) -> httpx.Response:
    return await client.post(PATH, json={"email": email, **extra}, headers=auth(user_id))


async def test_a_telegram_user_confirms_an_address_and_is_emailed(
    app: Any,
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    mail: MailServer,
    email_on: Settings,
    start_worker: Any,
) -> None:
    asked = await ask(client, 100, "  Tg.Client@Example.com ", lang="en")
    assert asked.status_code == 202, asked.text
    assert asked.json() == {"status": "sent"}
    message = await mail.await_for(lambda m: m["To"] == "tg.client@example.com")
    assert message["Subject"] == "Confirm your address for Srochno"
    text_part, html_part = parts(message)
    assert "User100" not in text_part + html_part, "nothing of the account in the e-mail"
    path = confirm_path(message)
    assert await address_of(engine, 100) == (None, True), "nothing stored before the link"

    page = await client.get(path)  # what a mail scanner does: nothing changes
    assert page.status_code == 200
    assert '<form method="post">' in page.text
    assert await address_of(engine, 100) == (None, True)

    confirmed = await client.post(path)
    assert confirmed.status_code == 200, confirmed.text
    assert "tg.client@example.com" in confirmed.text
    assert await address_of(engine, 100) == ("tg.client@example.com", True)
    me = (await client.get("/api/users/me", headers=auth(100))).json()
    assert me["email"] == "tg.client@example.com"
    assert me["notifications_reach"] != "email", "still a Telegram account"

    again = await client.post(path)
    assert again.status_code == 404
    assert 'data-code="sign_in_link_invalid"' in again.text

    # Its notifications now reach the address too.
    await start_worker(smtp_url=mail.url, email_from=FROM)
    order = (await client.post("/api/orders", json=ORDER, headers=auth(100))).json()
    await recharge(client, 501, 10)
    assert (await take(client, order["id"], 501)).status_code == 200
    taken = await mail.await_for(lambda m: m["Subject"] == "Ваш заказ взяли")
    assert taken["To"] == "tg.client@example.com"
    assert ORDER["contact"] not in parts(taken)[0]


async def test_a_confirmation_link_signs_nobody_in_and_a_sign_in_link_confirms_nothing(
    client: httpx.AsyncClient, engine: AsyncEngine, mail: MailServer, email_on: Settings
) -> None:
    assert (await ask(client, 100, "mine@example.com")).status_code == 202
    confirmation = await mail.await_for(lambda m: m["To"] == "mine@example.com")
    token = confirm_path(confirmation).rsplit("=", 1)[1]
    verify = await client.post("/api/auth/email/verify", json={"token": token})
    assert (verify.status_code, verify.json()["code"]) == (404, "sign_in_link_invalid")

    assert (
        await client.post("/api/auth/email", json={"email": "web@example.com"})
    ).status_code == 202
    sign_in = await mail.await_for(lambda m: m["To"] == "web@example.com")
    used = await client.post(f"/api/email/confirm?t={sign_in_token(sign_in)}")
    assert used.status_code == 404
    assert await address_of(engine, 100) == (None, True)
    # Both links still work for what they are.
    assert (await client.post(f"/api/email/confirm?t={token}")).status_code == 200
    verified = await client.post("/api/auth/email/verify", json={"token": sign_in_token(sign_in)})
    assert verified.status_code == 200


async def test_an_address_of_another_account_is_not_taken_over(
    client: httpx.AsyncClient, engine: AsyncEngine, mail: MailServer, email_on: Settings
) -> None:
    owner = await web_account(engine, "taken@example.com")
    assert (await ask(client, 100, "taken@example.com")).status_code == 202
    path = confirm_path(await mail.await_for(lambda m: m["To"] == "taken@example.com"))
    refused = await client.post(path)
    assert refused.status_code == 409
    assert 'data-code="email_taken"' in refused.text
    assert await address_of(engine, 100) == (None, True)
    assert await address_of(engine, owner) == ("taken@example.com", True)


async def test_an_address_confirmed_by_another_account_at_the_same_time_is_a_page_too(
    client: httpx.AsyncClient, engine: AsyncEngine, mail: MailServer, email_on: Settings
) -> None:
    """Another account stores the address while this link is being used (after the link's
    check, before its write): the person still reads a page saying why."""
    await add_user(engine, 101)
    assert (await ask(client, 100, "both@example.com")).status_code == 202
    path = confirm_path(await mail.await_for(lambda m: m["To"] == "both@example.com"))
    async with engine.connect() as other:
        other_transaction = await other.begin()
        await other.execute(text("UPDATE users SET email = 'both@example.com' WHERE id = 101"))
        confirming = asyncio.create_task(client.post(path))

        async def waiting() -> bool:
            found = await scalar(
                engine,
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'",
            )
            return bool(found)

        await until(waiting, "the confirmation waits on the other account's write")
        await other_transaction.commit()
        refused = await confirming
    assert refused.status_code == 409
    assert 'data-code="email_taken"' in refused.text
    assert refused.headers["content-type"].startswith("text/html")
    assert await address_of(engine, 100) == (None, True)


async def test_the_address_can_be_removed_and_web_accounts_keep_theirs(
    app: Any, client: httpx.AsyncClient, engine: AsyncEngine, mail: MailServer, email_on: Settings
) -> None:
    await add_user(engine, 100)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE users SET email = 'old@example.com' WHERE id = 100"))
    removed = await client.delete(PATH, headers=auth(100))
    assert removed.status_code == 204
    assert (await address_of(engine, 100))[0] is None

    web = await web_account(engine, "webonly@example.com")
    cookie = await session_cookie(engine, app.state.settings, web)
    for answer in (
        await client.post(PATH, json={"email": "other@example.com"}, headers=cookie),
        await client.delete(PATH, headers=cookie),
    ):
        assert (answer.status_code, answer.json()["code"]) == (409, "telegram_only")
    assert (await address_of(engine, web))[0] == "webonly@example.com"
    no_csrf = {"Cookie": cookie["Cookie"]}
    answer = await client.post(PATH, json={"email": "x@example.com"}, headers=no_csrf)
    assert (answer.status_code, answer.json()["code"]) == (403, "csrf_header_missing")


async def test_requests_are_limited_per_account_and_per_address(
    client: httpx.AsyncClient, mail: MailServer, override_settings: Any
) -> None:
    override_settings(
        smtp_url=mail.url, email_from=FROM, rate_email_user_per_hour=3, rate_email_per_hour=2
    )
    for _ in range(3):
        assert (await ask(client, 100, "flood@example.com")).status_code == 202
    limited = await ask(client, 100, "else@example.com")
    assert (limited.status_code, limited.json()["code"]) == (429, "rate_limited")
    assert (await ask(client, 101, "flood@example.com")).status_code == 202
    await mail.await_for(lambda m: len(mail.received("flood@example.com")) >= 2)
    assert len(mail.received("flood@example.com")) == 2, "the address's own limit holds"


async def test_bad_requests_are_refused(client: httpx.AsyncClient, email_on: Settings) -> None:
    for body in ({"email": "not an address"}, {"email": "a@example.com", "lang": "de"}, {}):
        answer = await client.post(PATH, json=body, headers=auth(100))
        assert (answer.status_code, answer.json()["code"]) == (422, "validation_error")
    for token in ("short", "x" * 200, "bad token with spaces!!"):
        answer = await client.post(f"/api/email/confirm?t={token}")
        assert answer.status_code == 422


async def test_only_the_newest_request_confirms_and_a_change_signs_browsers_out(
    app: Any, client: httpx.AsyncClient, engine: AsyncEngine, mail: MailServer, email_on: Settings
) -> None:
    # A mistyped address, then the right one: the first link is void.
    assert (await ask(client, 100, "typo@example.com")).status_code == 202
    typo = confirm_path(await mail.await_for(lambda m: m["To"] == "typo@example.com"))
    assert (await ask(client, 100, "right@example.com")).status_code == 202
    right = confirm_path(await mail.await_for(lambda m: m["To"] == "right@example.com"))
    assert (await client.post(typo)).status_code == 404
    assert (await client.post(right)).status_code == 200
    assert (await address_of(engine, 100))[0] == "right@example.com"

    # A browser signed in with the address is signed out when the address goes, and a link
    # asked for before the removal cannot bring it back.
    browser = await session_cookie(engine, app.state.settings, 100)
    assert (await client.get("/api/users/me", headers=browser)).status_code == 200
    assert (await ask(client, 100, "later@example.com")).status_code == 202
    later = confirm_path(await mail.await_for(lambda m: m["To"] == "later@example.com"))
    assert (await client.delete(PATH, headers=auth(100))).status_code == 204
    assert (await client.get("/api/users/me", headers=browser)).status_code == 401
    assert (await client.post(later)).status_code == 404
    assert (await address_of(engine, 100))[0] is None

    # Confirming another address signs out the browsers of the one before.
    assert (await ask(client, 100, "again@example.com")).status_code == 202
    again = confirm_path(await mail.await_for(lambda m: m["To"] == "again@example.com"))
    browser = await session_cookie(engine, app.state.settings, 100)
    assert (await client.post(again)).status_code == 200
    assert (await client.get("/api/users/me", headers=browser)).status_code == 401
