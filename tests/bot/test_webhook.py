"""The webhook: the secret, the inbox (once per update), rollback on failure, the commands
in both languages, ``my_chat_member``; every Bot API call observed at the fake server."""

from __future__ import annotations

import httpx
import pytest

from srochno.users import repository as users_repository
from tests.helpers import recharge, scalar
from tests.telegram_updates import (
    UPDATE_KINDS,
    command,
    minimal_update,
    my_chat_member,
    next_update_id,
    post_update,
)

USER = 4242


async def test_no_secret_is_forbidden_and_nothing_is_handled(client, settings, bot_api, engine):
    update = command(USER, "/start")
    response = await client.post("/telegram/webhook", json=update)
    assert response.status_code == 401
    assert response.json()["code"] == "webhook_forbidden"
    wrong = {"X-Telegram-Bot-Api-Secret-Token": settings.webhook_secret[:-1] + "x"}
    response = await client.post("/telegram/webhook", json=update, headers=wrong)
    assert response.status_code == 401
    assert response.json()["code"] == "webhook_forbidden"
    assert await scalar(engine, "SELECT count(*) FROM telegram_updates") == 0
    assert bot_api.calls == []


async def test_a_body_that_is_no_update_is_refused(client, settings, bot_api):
    response = await post_update(client, settings, {"update_id": "nope"})
    assert response.status_code == 422
    assert bot_api.calls == []


@pytest.mark.parametrize("kind", UPDATE_KINDS)
async def test_every_kind_of_update_is_answered_and_recorded_once(
    client, settings, bot_api, engine, kind
):
    """Whatever Telegram delivers (the kinds the bot handles and the ones it does not), with
    only the fields the Bot API must send: 200 and one inbox row, never a 5xx that Telegram
    would deliver again and again."""
    update = minimal_update(kind)
    first = await post_update(client, settings, update)
    assert first.status_code == 200, first.text
    again = await post_update(client, settings, update)
    assert again.status_code == 200, again.text
    recorded = f"SELECT count(*) FROM telegram_updates WHERE update_id = {update['update_id']}"
    assert await scalar(engine, recorded) == 1


async def test_start_in_russian_opens_the_mini_app(client, settings, bot_api, engine):
    response = await post_update(client, settings, command(USER, "/start", language_code="ru"))
    assert response.status_code == 200
    assert response.json() == {"ok": True}
    (call,) = bot_api.calls_of("sendMessage")
    assert call.params["chat_id"] == USER
    assert "Здравствуйте" in call.params["text"]
    assert call.params["parse_mode"] == "HTML"
    (button,) = call.params["reply_markup"]["inline_keyboard"][0]
    assert button == {"text": "Открыть Srochno", "web_app": {"url": settings.webapp_base_url}}
    assert settings.webapp_base_url == "http://127.0.0.1:8000/app/"
    # The user now exists (the bot met them first), with no money.
    assert await scalar(engine, "SELECT balance FROM users WHERE id = :id", id=USER) == 0


@pytest.mark.parametrize(
    ("language_code", "greeting"),
    [
        ("en", "Hello"),
        ("de", "Hello"),
        ("uk", "Здравствуйте"),
        ("kk", "Здравствуйте"),
        (None, "Здравствуйте"),
    ],
)
async def test_start_speaks_english_to_other_languages(
    client, settings, bot_api, language_code, greeting
):
    await post_update(client, settings, command(USER, "/start", language_code=language_code))
    (call,) = bot_api.calls_of("sendMessage")
    assert greeting in call.params["text"]


async def test_start_with_an_order_link_opens_that_order(client, settings, bot_api):
    await post_update(
        client, settings, command(USER, "/start order_AbC-12_xyz9", language_code="en")
    )
    (call,) = bot_api.calls_of("sendMessage")
    (button,) = call.params["reply_markup"]["inline_keyboard"][0]
    assert button["text"] == "Open the order"
    assert button["web_app"]["url"] == "http://127.0.0.1:8000/app/#/order/AbC-12_xyz9"
    assert "AbC-12_xyz9" in call.params["text"]


async def test_start_with_an_order_link_answers_the_apps_startapp_link_when_configured(
    client, settings, bot_api, override_settings
):
    settings = override_settings(telegram_app_link="https://t.me/srochno_bot/app")
    await post_update(client, settings, command(USER, "/start order_AbC-12_xyz9"))
    (call,) = bot_api.calls_of("sendMessage")
    (button,) = call.params["reply_markup"]["inline_keyboard"][0]
    assert button["text"] == "Открыть заказ"
    assert button["url"] == "https://t.me/srochno_bot/app?startapp=order_AbC-12_xyz9"
    assert "web_app" not in button


@pytest.mark.parametrize(
    ("text", "language_code", "expected"),
    [
        ("/balance", "ru", "Ваш баланс: <b>7 ₽</b>"),
        ("/balance", "en", "Your balance: <b>7 ₽</b>"),
        ("/help", "ru", "Как это работает"),
        ("/help", "en", "How it works"),
        ("/paysupport", "ru", "Помощь с оплатой"),
        ("/paysupport", "en", "Payment support"),
        ("/terms", "ru", "Условия"),
        ("/terms", "en", "Terms"),
    ],
)
async def test_commands_in_both_languages(client, settings, bot_api, text, language_code, expected):
    await recharge(client, USER, 7)
    response = await post_update(client, settings, command(USER, text, language_code=language_code))
    assert response.status_code == 200
    (call,) = bot_api.calls_of("sendMessage")
    assert expected in call.params["text"]
    assert call.params["chat_id"] == USER


async def test_help_names_the_configured_price(client, settings, bot_api, override_settings):
    changed = override_settings(take_price=5, support_contact="@srochno_help")
    await post_update(client, changed, command(USER, "/help", language_code="en"))
    (call,) = bot_api.calls_of("sendMessage")
    assert "5 ₽" in call.params["text"]
    assert "@srochno_help" in call.params["text"]


async def test_a_redelivered_update_is_handled_once(client, settings, bot_api, engine):
    update = command(USER, "/start")
    first = await post_update(client, settings, update)
    again = await post_update(client, settings, update)
    assert (first.status_code, again.status_code) == (200, 200)
    assert len(bot_api.calls_of("sendMessage")) == 1
    assert await scalar(engine, "SELECT count(*) FROM telegram_updates") == 1


async def test_a_failed_handler_rolls_back_and_answers_5xx(
    app, settings, bot_api, engine, monkeypatch
):
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as client:
        await _fail_then_redeliver(client, settings, bot_api, engine, monkeypatch)


async def _fail_then_redeliver(client, settings, bot_api, engine, monkeypatch):
    async def broken(conn, user_id):
        raise RuntimeError("the handler broke")

    update = command(USER, "/balance", update_id=next_update_id())
    with monkeypatch.context() as patch:
        patch.setattr(users_repository, "balance_of", broken)
        response = await post_update(client, settings, update)
    assert response.status_code == 500
    assert await scalar(engine, "SELECT count(*) FROM telegram_updates") == 0
    assert bot_api.calls_of("sendMessage") == []
    # Telegram delivers it again: now it is handled.
    response = await post_update(client, settings, update)
    assert response.status_code == 200
    assert len(bot_api.calls_of("sendMessage")) == 1
    assert await scalar(engine, "SELECT count(*) FROM telegram_updates") == 1


@pytest.mark.parametrize(
    "failure",
    [
        lambda api: api.forbid("sendMessage"),
        lambda api: api.fail("sendMessage", status=500),
        lambda api: api.answer("sendMessage", {"weird": [1, 2]}),  # aiogram cannot read it
        lambda api: api.answer("sendMessage", True),
    ],
    ids=["403", "500", "unreadable", "true"],
)
async def test_a_failing_send_is_logged_and_the_update_stays_handled(
    client, settings, bot_api, engine, failure
):
    failure(bot_api)
    update = command(USER, "/help")
    response = await post_update(client, settings, update)
    assert response.status_code == 200
    assert len(bot_api.calls_of("sendMessage")) == 1
    assert await scalar(engine, "SELECT count(*) FROM telegram_updates") == 1


async def test_my_chat_member_keeps_bot_blocked(client, settings, bot_api, engine):
    blocked = "SELECT bot_blocked FROM users WHERE id = :id"
    assert (await post_update(client, settings, my_chat_member(USER, "kicked"))).status_code == 200
    assert await scalar(engine, blocked, id=USER) is True
    assert (await post_update(client, settings, my_chat_member(USER, "member"))).status_code == 200
    assert await scalar(engine, blocked, id=USER) is False
    assert bot_api.calls == []
