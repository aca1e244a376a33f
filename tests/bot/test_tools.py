"""``srochno bot setup``, ``srochno bot poll`` and the development token, against the
fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from srochno.app import create_app
from srochno.bot.dispatcher import ALLOWED_UPDATES, build_dispatcher
from srochno.bot.polling import POLL_LOCK_ID, PollerBusy, poll
from srochno.config import derive_webhook_secret
from srochno.db import create_engine
from srochno.telegram.session import DEV_INVOICE_URL
from tests import prefork
from tests.conftest import make_settings
from tests.helpers import TEST_BOT_TOKEN, init_data, scalar
from tests.servers import server_env
from tests.telegram_updates import command, post_update, pre_checkout

USER = 4343
TOOL_TIMEOUT_SECONDS = 180  # a start-up included: only a hung tool should reach it


@pytest.fixture
def srochno(database_url, fake_bot_api, tmp_path: Path):
    async def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        environment = server_env(
            database_url,
            {"TELEGRAM_API_URL": fake_bot_api.url, "MIGRATE_ON_START": "false", **env},
            tmp_path / "data",
        )
        return await asyncio.to_thread(
            prefork.run, args, cwd=tmp_path, env=environment, timeout=TOOL_TIMEOUT_SECONDS
        )

    return run


async def test_bot_setup_sets_the_webhook_commands_and_menu_button(bot_api, srochno):
    result = await srochno(
        "bot", "setup", PUBLIC_URL="https://srochno.example", SECRET_KEY="production-key"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (webhook,) = bot_api.calls_of("setWebhook")
    assert webhook.token == TEST_BOT_TOKEN
    assert webhook.params["url"] == "https://srochno.example/telegram/webhook"
    assert webhook.params["secret_token"] == derive_webhook_secret("production-key")
    assert webhook.params["allowed_updates"] == [
        "message",
        "callback_query",
        "pre_checkout_query",
        "my_chat_member",
    ]
    assert webhook.params.get("drop_pending_updates", False) is False
    menus = {
        call.params.get("language_code"): call.params["commands"]
        for call in bot_api.calls_of("setMyCommands")
    }
    assert set(menus) == {None, "ru", "uk", "be", "kk"}
    assert menus[None][0] == {"command": "start", "description": "Open Srochno"}
    assert menus["ru"][0] == {"command": "start", "description": "Открыть Srochno"}
    assert [c["command"] for c in menus["ru"]] == [
        "start",
        "balance",
        "help",
        "paysupport",
        "terms",
    ]
    (menu,) = bot_api.calls_of("setChatMenuButton")
    assert menu.params["menu_button"] == {
        "type": "web_app",
        "text": "Srochno",
        "web_app": {"url": "https://srochno.example/app/"},
    }


async def test_bot_setup_says_what_telegram_refused(bot_api, srochno):
    bot_api.fail(
        "setWebhook", status=400, description="Bad Request: bad webhook: HTTPS URL must be provided"
    )
    result = await srochno("bot", "setup")
    assert result.returncode == 1
    assert "HTTPS URL must be provided" in result.stderr


async def test_poll_serves_updates_through_the_inbox(app, settings, bot_api, engine):
    db, bot = app.state.db, app.state.bot
    first, second = command(USER, "/start"), command(USER, "/help", language_code="en")
    bot_api.push_update(first)
    bot_api.push_update(second)
    stop = asyncio.Event()
    poller = asyncio.create_task(
        poll(db, bot, build_dispatcher(), settings, stop=stop, poll_seconds=1)
    )
    try:
        sent = await bot_api.until("sendMessage", 2)
        # One poller at a time.
        with pytest.raises(PollerBusy):
            await poll(db, bot, build_dispatcher(), settings, stop=stop, poll_seconds=1)
    finally:
        stop.set()
        await asyncio.wait_for(poller, timeout=15)
    # The lock went with the poller: its connection is back in the pool without it.
    async with db.connection() as conn:
        held = await conn.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND ((classid::bigint << 32) | objid::bigint) = $1",
            POLL_LOCK_ID,
        )
    assert held == 0
    assert "Здравствуйте" in sent[0].params["text"]
    assert "How it works" in sent[1].params["text"]
    (delete,) = bot_api.calls_of("deleteWebhook")
    assert delete.params.get("drop_pending_updates", False) is False
    polls = bot_api.calls_of("getUpdates")
    assert polls[0].params["allowed_updates"] == ALLOWED_UPDATES
    assert polls[-1].params["offset"] == second["update_id"] + 1
    assert await scalar(engine, "SELECT count(*) FROM telegram_updates") == 2
    # Delivered again (a webhook copy of the same update): handled once.
    response = await post_update_via_app(app, settings, first)
    assert response.status_code == 200
    assert len(bot_api.calls_of("sendMessage")) == 2


async def post_update_via_app(app, settings, update) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as client:
        return await post_update(client, settings, update)


async def test_a_second_poller_process_is_refused(database_url, bot_api, srochno):
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": POLL_LOCK_ID})
            result = await srochno("bot", "poll")
            await conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": POLL_LOCK_ID})
    finally:
        await engine.dispose()
    assert result.returncode == 1
    assert "another `srochno bot poll` is running" in result.stderr
    assert bot_api.calls_of("getUpdates") == []


async def test_the_development_token_sends_nothing(
    database_url, fake_bot_api, bot_api, tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="srochno.telegram.session")
    settings = make_settings(
        database_url,
        telegram_bot_token=None,
        dev_recharge=None,
        data_dir=tmp_path,
        telegram_api_url=fake_bot_api.url,
    ).with_dev_token()
    assert settings.uses_generated_token
    app = create_app(settings, run_jobs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as client:
            response = await post_update(client, settings, command(USER, "/start"))
            assert response.status_code == 200
            token = settings.telegram_bot_token
            assert token is not None
            response = await client.post(
                "/api/balance/invoices",
                json={"stars": 5},
                headers={"Authorization": f"tma {init_data(USER, token=token)}"},
            )
            assert response.status_code == 201, response.text
            invoice = response.json()
            assert invoice["invoice_url"] == DEV_INVOICE_URL + invoice["payment_id"]
            update = pre_checkout(USER, invoice["payment_id"], 5)
            assert (await post_update(client, settings, update)).status_code == 200
    assert bot_api.calls == []
    logged = [r.getMessage() for r in caplog.records if r.name == "srochno.telegram.session"]
    assert logged == [
        "development bot token: sendMessage not sent to Telegram",
        "development bot token: createInvoiceLink not sent to Telegram",
        "development bot token: answerPreCheckoutQuery not sent to Telegram",
    ]


async def test_bot_setup_with_the_development_token_sends_nothing(bot_api, srochno):
    result = await srochno("bot", "setup", TELEGRAM_BOT_TOKEN="")
    assert result.returncode == 0, result.stderr
    assert "nothing was sent to Telegram" in result.stdout
    assert bot_api.calls == []
