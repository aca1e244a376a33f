"""The notification scale figure (SPEC §13): 10 000 instant subscribers of one city and
category, one new order, and a fake Bot API that enforces 30 messages/s overall and one
per second per chat, answering 429 beyond. How long until every message is accepted, and
how many 429s (the target: ≈ 10 000 / TELEGRAM_MAX_MESSAGES_PER_SECOND seconds, none).

    .venv/bin/python bench/notify.py [--subscribers 10000] [--workers 2] [--rate 25]

It creates the throwaway database ``srochno_bench_notify`` on ``BENCH_ADMIN_URL``
(default the local server, user postgres), migrates it, starts ``srochno worker``
processes against the fake, creates the order, waits, prints JSON and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from srochno.db import Database  # noqa: E402
from srochno.embedded import drop_database, ensure_database  # noqa: E402
from srochno.migrations import upgrade  # noqa: E402
from srochno.orders.schemas import OrderCreate  # noqa: E402
from srochno.orders.service import create_order  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.fakebotapi import FakeBotAPI, RateLimit  # noqa: E402
from tests.helpers import ORDER, TEST_BOT_TOKEN  # noqa: E402

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE_NAME = "srochno_bench_notify"
OWNER = 1
FIRST_SUBSCRIBER = 10_000_000

SUBSCRIBERS = """
INSERT INTO users (id, first_name, language_code, subscribed_categories, subscribed_cities,
                   notification_frequency, created_at, updated_at)
SELECT g, 'Sub' || g, 'ru', '{plumbing}', '{москва}', 'instant', now(), now()
FROM generate_series($1::bigint, $2::bigint) AS g
"""


async def prepare(url: str, subscribers: int) -> None:
    await asyncio.to_thread(upgrade, url)
    db = await Database.open(url, pool_size=1)
    try:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO users (id, first_name, created_at, updated_at) "
                "VALUES ($1, 'Owner', now(), now())",
                OWNER,
            )
            await conn.execute(SUBSCRIBERS, FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + subscribers - 1)
    finally:
        await db.close()


async def post_order(url: str) -> None:
    settings = make_settings(url)
    db = await Database.open(url, pool_size=1)
    try:
        async with db.transaction() as conn:
            await create_order(conn, settings, OWNER, OrderCreate.model_validate(ORDER))
    finally:
        await db.close()


def start_workers(count: int, url: str, api_url: str, rate: float, workdir: Path) -> list:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))},
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
        "TELEGRAM_API_URL": api_url,
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": str(rate),
        "AUTO_CLOSE_INTERVAL_SECONDS": "60",
        "LOG_LEVEL": "WARNING",
        "DATA_DIR": str(workdir),
    }
    processes = []
    for index in range(count):
        log = (workdir / f"worker-{index}.log").open("ab")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "srochno", "worker"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=workdir,
            )
        )
    return processes


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rate", type=float, default=25)
    parser.add_argument("--fake-rate", type=float, default=30)
    args = parser.parse_args()

    url = await ensure_database(ADMIN_URL, DATABASE_NAME)
    workdir = Path(tempfile.mkdtemp(prefix="srochno-bench-notify-"))
    api = FakeBotAPI()
    limit = RateLimit(per_second=args.fake_rate, chat_gap=1.0)
    api.add_policy(limit)
    api.start()
    processes = []
    try:
        await prepare(url, args.subscribers)
        processes = start_workers(args.workers, url, api.url, args.rate, workdir)
        await asyncio.sleep(3)  # the workers migrate (nothing to do) and start listening
        started = time.monotonic()
        await post_order(url)
        accepted = 0
        while accepted < args.subscribers:
            await asyncio.sleep(1)
            calls = len(api.calls_of("sendMessage"))
            accepted = calls - limit.refused
            if any(p.poll() is not None for p in processes):
                raise SystemExit("a worker died: see " + str(workdir))
            if time.monotonic() - started > 3 * args.subscribers / args.rate + 120:
                raise SystemExit(f"too slow: {accepted} accepted; logs in {workdir}")
        elapsed = time.monotonic() - started
        calls = api.calls_of("sendMessage")
        accepted_at = sorted(c.at for c in calls)
        first = accepted_at[0] - started
        chats = {c.params["chat_id"] for c in calls}
        per_second: dict[int, int] = {}
        for at in accepted_at:
            second = int(at - accepted_at[0])
            per_second[second] = per_second.get(second, 0) + 1
        print(
            json.dumps(
                {
                    "subscribers": args.subscribers,
                    "workers": args.workers,
                    "rate": args.rate,
                    "fake_limit_per_second": args.fake_rate,
                    "seconds_until_all_accepted": round(elapsed, 1),
                    "ideal_seconds": round(args.subscribers / args.rate, 1),
                    "first_message_after_seconds": round(first, 2),
                    "messages_per_second": round(args.subscribers / elapsed, 2),
                    "busiest_second": max(per_second.values()),
                    "refused_429": limit.refused,
                    "refusals": [
                        {
                            "limit": which,
                            "chat_id": call.params.get("chat_id"),
                            "after_first_call_seconds": round(call.at - accepted_at[0], 3),
                            "calls_in_the_second_before": sum(
                                1 for t in accepted_at if call.at - 1.0 < t <= call.at
                            ),
                        }
                        for call, which in limit.refusals
                    ],
                    "calls": len(calls),
                    "distinct_chats": len(chats),
                },
                indent=2,
            )
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        api.stop()
        await drop_database(ADMIN_URL, DATABASE_NAME)


if __name__ == "__main__":
    # The fake Bot API time-stamps each call in its thread of this process: a pause of the
    # cyclic garbage collector here (thousands of recorded calls) holds it, then stamps the
    # calls that waited together, and the fake sees a burst the senders never made.
    # Telegram's servers do not share our process; the workers keep their collector.
    gc.disable()
    asyncio.run(main())
