"""Reaching executors (SPEC §21): the two 403s told apart, messages kept for a user who
never started the bot and sent once they start it, write to it or allow writing."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from tests.fakebotapi import FakeBotAPI
from tests.helpers import auth, create_order
from tests.notifications.conftest import add_user, delivery_statuses, drained
from tests.telegram_updates import command, message, post_update

OWNER = 100
EXECUTOR = 1


async def flags(engine: Any, user_id: int) -> dict[str, Any]:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT bot_blocked, needs_start, allows_write_to_pm, bot_started "
                    "FROM users WHERE id = :id"
                ),
                {"id": user_id},
            )
        ).one()
    return dict(row._mapping)


async def me(client: httpx.AsyncClient, user_id: int, **profile: Any) -> dict[str, Any]:
    response = await client.get("/api/users/me", headers=auth(user_id, **profile))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def subscribe_from_a_link(client: httpx.AsyncClient, user_id: int) -> None:
    """A user who opened the Mini App from a shared link (never pressed Start)."""
    response = await client.put(
        "/api/users/me/preferences",
        json={"categories": ["plumbing"], "cities": ["Москва"]},
        headers=auth(user_id),
    )
    assert response.status_code == 200, response.text


async def test_an_executor_from_a_link_who_allows_writing_hears_of_the_next_order(
    client, engine, bot_api: FakeBotAPI, start_worker
):
    await add_user(engine, OWNER, categories=())
    await subscribe_from_a_link(client, EXECUTOR)
    assert (await me(client, EXECUTOR))["notifications_reach"] == "needs_start"
    unstarted = bot_api.unstarted_chat(EXECUTOR)
    await start_worker()

    first = await create_order(client, OWNER)
    await drained(engine)
    assert len(bot_api.messages_to(EXECUTOR)) == 1  # tried once...
    assert bot_api.delivered_to(EXECUTOR) == []  # ...and refused: no chat yet
    assert await flags(engine, EXECUTOR) == {
        "bot_blocked": False,  # not a block
        "needs_start": True,
        "allows_write_to_pm": False,
        "bot_started": False,
    }
    statuses = await delivery_statuses(engine)
    assert statuses[(f"created:{first['id']}", EXECUTOR)] == "needs_start"

    # The Mini App asked requestWriteAccess(); the user allowed it: Telegram now lets the bot
    # write, and the next initData says so.
    unstarted.clear()
    profile = await me(client, EXECUTOR, allows_write_to_pm=True)
    assert profile["notifications_reach"] == "ok"
    assert profile["allows_write_to_pm"] is True
    # The kept announcement of the still open order goes out...
    (sent,) = await bot_api.until_to(EXECUTOR, 1)
    assert first["id"] in str(sent.params["reply_markup"])
    # ...and so does the next matching order.
    second = await create_order(client, OWNER)
    messages = await bot_api.until_to(EXECUTOR, 2)
    assert second["id"] in str(messages[1].params["reply_markup"])
    await drained(engine)
    assert await flags(engine, EXECUTOR) == {
        "bot_blocked": False,
        "needs_start": False,
        "allows_write_to_pm": True,
        "bot_started": False,
    }


async def test_a_kept_message_goes_out_on_start_and_not_for_a_closed_order(
    client, engine, settings, bot_api: FakeBotAPI, start_worker
):
    await add_user(engine, OWNER, categories=())
    await subscribe_from_a_link(client, EXECUTOR)
    unstarted = bot_api.unstarted_chat(EXECUTOR)
    await start_worker()
    open_order = await create_order(client, OWNER)
    closed = await create_order(client, OWNER, description="Нужен сантехник, течёт смеситель")
    await drained(engine)
    assert (await flags(engine, EXECUTOR))["needs_start"] is True
    response = await client.delete(f"/api/orders/{closed['id']}", headers=auth(OWNER))
    assert response.status_code == 204, response.text

    unstarted.clear()
    response = await post_update(client, settings, command(EXECUTOR, "/start"))
    assert response.status_code == 200
    assert await flags(engine, EXECUTOR) == {
        "bot_blocked": False,
        "needs_start": False,
        "allows_write_to_pm": False,
        "bot_started": True,
    }
    await drained(engine)
    orders = [str(call.params.get("reply_markup")) for call in bot_api.delivered_to(EXECUTOR)]
    announced = [m for m in orders if open_order["id"] in m or closed["id"] in m]
    assert len(announced) == 1
    assert open_order["id"] in announced[0]
    assert (await me(client, EXECUTOR))["notifications_reach"] == "ok"


async def test_a_block_is_not_a_missing_start_and_any_private_message_clears_it(
    client, engine, settings, bot_api: FakeBotAPI, start_worker
):
    await add_user(engine, OWNER, categories=())
    await add_user(engine, 2)
    bot_api.forbid_chat(2)
    await start_worker()
    order = await create_order(client, OWNER)
    await drained(engine)
    assert (await delivery_statuses(engine))[(f"created:{order['id']}", 2)] == "blocked"
    state = await flags(engine, 2)
    assert state["bot_blocked"] is True
    assert state["needs_start"] is False
    assert (await me(client, 2))["notifications_reach"] == "blocked"

    response = await post_update(client, settings, message(2, text="здравствуйте"))
    assert response.status_code == 200
    state = await flags(engine, 2)
    assert state["bot_blocked"] is False
    assert state["bot_started"] is True
    # A blocked delivery is not kept: it is not sent again.
    await drained(engine)
    assert all(order["id"] not in str(c.params) for c in bot_api.delivered_to(2))


async def test_initdata_allowing_writing_clears_a_block(client, engine):
    await add_user(engine, 3, blocked=True)
    assert (await me(client, 3))["notifications_reach"] == "blocked"
    assert (await me(client, 3, allows_write_to_pm=True))["notifications_reach"] == "ok"
    assert (await flags(engine, 3))["bot_blocked"] is False


async def test_granted_write_access_sends_what_waited(client, engine, bot_api, start_worker):
    await add_user(engine, OWNER, categories=())
    await subscribe_from_a_link(client, EXECUTOR)
    unstarted = bot_api.unstarted_chat(EXECUTOR)
    await start_worker()
    order = await create_order(client, OWNER)
    await drained(engine)
    assert (await flags(engine, EXECUTOR))["needs_start"] is True

    unstarted.clear()  # requestWriteAccess() granted in the Mini App
    response = await client.post("/api/users/me/write-access", headers=auth(EXECUTOR))
    assert response.status_code == 200
    assert response.json()["notifications_reach"] == "ok"
    (sent,) = await bot_api.until_to(EXECUTOR, 1)
    assert order["id"] in str(sent.params["reply_markup"])


async def test_an_older_initdata_does_not_take_write_access_back(client, engine):
    await add_user(engine, 4)
    assert (await me(client, 4, allows_write_to_pm=True))["allows_write_to_pm"] is True
    profile = await me(client, 4)  # the session's initData, issued before the user allowed it
    assert profile["allows_write_to_pm"] is True
    assert profile["notifications_reach"] == "ok"
