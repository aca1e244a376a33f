"""How messages are sent: Telegram's 429 and 403, one per second per chat, retries of
5xx, and the global rate over two worker processes."""

from __future__ import annotations

import asyncio
import itertools
import time

from sqlalchemy import text

from srochno import metrics
from tests.faults.support import run_workers
from tests.helpers import create_order
from tests.notifications.conftest import add_user, delivery_statuses, drained

OWNER = 100


def counter(name: str, *labels: str) -> float:
    metric = metrics.NOTIFICATIONS_FAILED.labels(*labels) if labels else metrics.NOTIFICATIONS_SENT
    return float(metric._value.get())


async def test_a_429_pauses_every_sender_for_retry_after(client, engine, bot_api, start_worker):
    for user in range(1, 6):
        await add_user(engine, user)
    bot_api.retry_after("sendMessage", 2, times=1)
    await start_worker(telegram_max_messages_per_second=4)
    await start_worker(telegram_max_messages_per_second=4)
    await create_order(client, OWNER)
    calls = await bot_api.until("sendMessage", 6, within=120)
    await drained(engine)
    refused, *after = calls
    assert all(call.at >= refused.at + 2.0 for call in after), [c.at - refused.at for c in after]
    assert sorted(c.params["chat_id"] for c in after) == [1, 2, 3, 4, 5]  # the refused one too
    assert set((await delivery_statuses(engine)).values()) == {"sent"}


async def test_a_403_marks_the_user_and_nothing_more_is_sent_to_them(
    client, engine, bot_api, start_worker
):
    await add_user(engine, 1)
    await add_user(engine, 2)
    bot_api.forbid_chat(1)
    blocked_before = counter("", "blocked")
    await start_worker()
    await create_order(client, OWNER)
    await bot_api.until("sendMessage", 2)
    await drained(engine)
    async with engine.connect() as conn:
        flags = dict((await conn.execute(text("SELECT id, bot_blocked FROM users"))).all())
    assert flags[1] is True
    assert flags[2] is False
    assert counter("", "blocked") == blocked_before + 1

    await create_order(client, OWNER)
    await bot_api.until("sendMessage", 3)
    await drained(engine)
    await asyncio.sleep(0.2)
    assert len(bot_api.messages_to(1)) == 1
    assert len(bot_api.messages_to(2)) == 2


async def test_one_chat_gets_at_most_one_message_a_second(client, engine, bot_api, start_worker):
    await add_user(engine, 1)
    await start_worker()
    await start_worker()
    for _ in range(3):
        await create_order(client, OWNER)
    calls = await bot_api.until("sendMessage", 3, within=120)
    await drained(engine)
    times = sorted(c.at for c in calls)
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times)), times


async def test_server_errors_are_retried_then_given_up(client, engine, bot_api, start_worker):
    await add_user(engine, 1)
    await add_user(engine, 2)

    def flaky(call):  # chat 1: 500 twice then fine; chat 2: always 502
        from tests.fakebotapi import error_reply

        if call.method != "sendMessage":
            return None
        chat = call.params["chat_id"]
        if chat == 2 or (chat == 1 and len(bot_api.messages_to(1)) <= 2):
            return error_reply(502 if chat == 2 else 500, "Bad Gateway")
        return None

    bot_api.add_policy(flaky)
    exhausted_before = counter("", "retries_exhausted")
    await start_worker(notify_max_attempts=3)
    order = await create_order(client, OWNER)
    await bot_api.until("sendMessage", 6, within=120)
    await drained(engine)
    await asyncio.sleep(0.3)
    assert len(bot_api.messages_to(1)) == 3  # two refusals, then accepted once
    assert len(bot_api.messages_to(2)) == 3  # NOTIFY_MAX_ATTEMPTS, then given up
    statuses = await delivery_statuses(engine)
    key = f"created:{order['id']}"
    assert statuses == {(key, 1): "sent", (key, 2): "failed"}
    assert counter("", "retries_exhausted") == exhausted_before + 1


async def test_other_4xx_are_dropped(client, engine, bot_api, start_worker):
    await add_user(engine, 1)
    bot_api.fail("sendMessage", status=400, description="Bad Request: chat not found")
    await start_worker()
    order = await create_order(client, OWNER)
    await bot_api.until("sendMessage", 1)
    await drained(engine)
    await asyncio.sleep(0.3)
    assert len(bot_api.calls_of("sendMessage")) == 1
    assert await delivery_statuses(engine) == {(f"created:{order['id']}", 1): "rejected"}


RATE = 4
RECIPIENTS = 14


async def test_the_global_rate_holds_over_two_worker_processes(
    client, engine, bot_api, database_url, tmp_path
):
    """Two ``srochno worker`` processes share ``TELEGRAM_MAX_MESSAGES_PER_SECOND``: the fake
    never sees more than that in any second (one more allowed for network jitter; one
    process each sending at the full rate would make it twice as many)."""
    for user in range(1, RECIPIENTS + 1):
        await add_user(engine, user)
    env = {
        "TELEGRAM_API_URL": bot_api.url,
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": str(RATE),
        "AUTO_CLOSE_INTERVAL_SECONDS": "60",
        "NOTIFY_CONCURRENCY": "4",
    }
    with run_workers(database_url, 2, tmp_path, env) as workers:
        await create_order(client, OWNER)
        try:
            calls = await bot_api.until("sendMessage", RECIPIENTS, within=60)
            await drained(engine)
        except AssertionError:
            raise AssertionError("\n".join(w.log()[-3000:] for w in workers)) from None
    times = sorted(c.at for c in calls)
    assert sorted(c.params["chat_id"] for c in calls) == list(range(1, RECIPIENTS + 1))
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= RATE + 1, busiest
    assert times[-1] - times[0] >= (RECIPIENTS - 1) / RATE * 0.8
    assert time.monotonic() >= times[-1]
