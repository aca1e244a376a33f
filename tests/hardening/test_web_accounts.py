"""Web accounts (signed in by e-mail, negative ids, a cookie session) have no Telegram: no
Stars invoice, no claim that the bot reaches them; their profile says notifications are
e-mails."""

from __future__ import annotations

from tests.helpers import auth
from tests.notifications.test_email import session_cookie, web_account


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
