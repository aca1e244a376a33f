"""Web accounts (signed in by e-mail, negative ids, a cookie session) have no Telegram: no
Stars invoice, no claim that the bot reaches them; their profile says notifications are
e-mails. What exists only inside Telegram is refused to every web session, a Telegram
account's signed in by e-mail too."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.helpers import auth, create_order
from tests.notifications.test_email import session_cookie, web_account

TELEGRAM_ONLY = (
    ("/api/balance/invoices", {"stars": 10}),
    ("/api/users/me/write-access", None),
    ("/api/orders/{order}/share", None),
)
"""Stars, the bot's write access, a message shared through the bot."""


@pytest.mark.parametrize("account", ["web account", "telegram account"])
async def test_a_web_session_is_refused_what_exists_only_inside_telegram(
    app, client, engine, bot_api, account
):
    order = await create_order(client, 100)
    if account == "web account":
        user = await web_account(engine, "only@example.com")
    else:  # a Telegram user with a verified address, signed in by e-mail
        user = 642
        assert (await client.get("/api/users/me", headers=auth(user))).status_code == 200
        async with engine.begin() as conn:
            await conn.execute(
                text("UPDATE users SET email = 'tg@example.com' WHERE id = :id"), {"id": user}
            )
    headers = await session_cookie(engine, app.state.settings, user)
    before = (await client.get("/api/users/me", headers=headers)).json()
    for path, body in TELEGRAM_ONLY:
        answer = await client.post(path.format(order=order["id"]), json=body, headers=headers)
        assert (answer.status_code, answer.json()["code"]) == (409, "telegram_only"), path
    assert (await client.get("/api/users/me", headers=headers)).json() == before
    assert bot_api.calls == [], "Telegram was asked for nothing"
    async with engine.connect() as conn:
        payments = await conn.scalar(text("SELECT count(*) FROM payments"))
    assert payments == 0


async def test_a_web_account_gets_no_stars_invoice(app, client, engine):
    user = await web_account(engine, "stars@example.com")
    headers = await session_cookie(engine, app.state.settings, user)
    response = await client.post("/api/balance/invoices", json={"stars": 10}, headers=headers)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "telegram_only"
    telegram = await client.post("/api/balance/invoices", json={"stars": 10}, headers=auth(640))
    assert telegram.status_code == 201, telegram.text


async def test_a_web_account_cannot_claim_the_bots_reach(app, client, engine):
    user = await web_account(engine, "reach@example.com")
    headers = await session_cookie(engine, app.state.settings, user)
    me = (await client.get("/api/users/me", headers=headers)).json()
    assert me["notifications_reach"] == "email"
    response = await client.post("/api/users/me/write-access", headers=headers)
    assert response.status_code == 409, response.text
    assert response.json()["code"] == "telegram_only"
    me = (await client.get("/api/users/me", headers=headers)).json()
    assert me["notifications_reach"] == "email"
    assert me["allows_write_to_pm"] is False
    telegram = await client.post("/api/users/me/write-access", headers=auth(641))
    assert telegram.status_code == 200
    assert telegram.json()["notifications_reach"] == "ok"


async def test_a_web_account_tops_up_in_rubles(app, client, engine, topups_on, kassa):
    """Outside Telegram there are no Stars: rubles come in through YooKassa, the receipt to
    the account's own address when none is given."""
    user = await web_account(engine, "rubles@example.com")
    headers = await session_cookie(engine, app.state.settings, user)
    response = await client.post("/api/balance/topups", json={"amount_rub": 300}, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    (call,) = kassa.calls_of("POST", "/v3/payments")
    assert call.body["amount"] == {"value": "300.00", "currency": "RUB"}
    assert call.body["metadata"]["user_id"] == str(user)
    assert call.body["receipt"]["customer"] == {"email": "rubles@example.com"}
