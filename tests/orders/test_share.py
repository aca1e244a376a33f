"""Sharing an order (SPEC §21): the bot prepares a message with the public card and a
startapp button, never the contact; the Mini App shares it by its id."""

from __future__ import annotations

import json

import pytest
from aiogram import Bot

from srochno.telegram.session import DEV_BOT_USERNAME, DevSession
from tests.fakebotapi import FakeBotAPI
from tests.helpers import ORDER, auth, create_order

OWNER, SHARER = 700, 701


async def test_a_shared_order_is_its_public_card_with_a_button_back(client, bot_api: FakeBotAPI):
    order = await create_order(client, OWNER)
    response = await client.post(f"/api/orders/{order['id']}/share", headers=auth(SHARER))
    assert response.status_code == 200, response.text
    body = response.json()
    (call,) = bot_api.calls_of("savePreparedInlineMessage")
    assert body["prepared_message_id"].startswith("prepared-")
    link = f"https://t.me/{bot_api.bot_username}?startapp=order_{order['id']}"
    assert body["url"] == link
    assert call.params["user_id"] == SHARER
    result = call.params["result"]
    result = json.loads(result) if isinstance(result, str) else result
    card = result["input_message_content"]["message_text"]
    assert ORDER["description"] in card
    assert "Москва" in card
    assert "999" not in json.dumps(result)  # never the contact
    assert result["reply_markup"]["inline_keyboard"][0][0]["url"] == link


async def test_the_configured_app_link_is_used(client, bot_api, override_settings):
    override_settings(telegram_app_link="https://t.me/srochno_bot/app")
    order = await create_order(client, OWNER)
    response = await client.post(f"/api/orders/{order['id']}/share", headers=auth(OWNER))
    assert response.json()["url"] == f"https://t.me/srochno_bot/app?startapp=order_{order['id']}"


async def test_a_closed_or_unknown_order_is_not_shared_and_telegram_failing_is_a_502(
    client, bot_api: FakeBotAPI
):
    order = await create_order(client, OWNER)
    assert (await client.post("/api/orders/nope/share", headers=auth(SHARER))).status_code == 404
    bot_api.fail("savePreparedInlineMessage", status=500)
    response = await client.post(f"/api/orders/{order['id']}/share", headers=auth(SHARER))
    assert response.status_code == 502
    assert response.json()["code"] == "share_unavailable"
    await client.delete(f"/api/orders/{order['id']}", headers=auth(OWNER))
    response = await client.post(f"/api/orders/{order['id']}/share", headers=auth(SHARER))
    assert response.status_code in (404, 409)
    assert (await client.post(f"/api/orders/{order['id']}/share")).status_code == 401


async def test_the_development_bot_prepares_a_message_like_telegram(app, client, settings):
    """The development token's stand-in answers savePreparedInlineMessage as Telegram does
    (a prepared message, the bot's own link), so sharing works in development."""
    original = app.state.bot
    dev_bot = Bot(original.token, session=DevSession())
    app.state.bot = dev_bot
    try:
        order = await create_order(client, OWNER)
        response = await client.post(f"/api/orders/{order['id']}/share", headers=auth(SHARER))
    finally:
        app.state.bot = original
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["prepared_message_id"]
    assert body["url"] == f"https://t.me/{DEV_BOT_USERNAME}?startapp=order_{order['id']}"


@pytest.mark.parametrize(
    "result",
    [True, None, 1, "prepared", [], {}, {"id": 5}, {"expiration_date": 1}],
    ids=repr,
)
async def test_an_unexpected_bot_api_answer_is_a_502(client, bot_api: FakeBotAPI, result):
    bot_api.answer("savePreparedInlineMessage", result)
    order = await create_order(client, OWNER)
    response = await client.post(f"/api/orders/{order['id']}/share", headers=auth(SHARER))
    assert response.status_code == 502, response.text
    assert response.json()["code"] == "share_unavailable"
