"""The ceiling of event-writing commits: every transaction that writes an order event
takes one global advisory lock at COMMIT (ids in commit order) and holds it through the
commit's WAL flush, so such commits cannot share a flush.

    BENCH_DATABASE_URL=… python bench/commit_ceiling.py [--connections 16] [--seconds 10]

Each connection changes its own order (``executors_count`` toggled between 0 and 1, which
fires the ``order_updated`` event) in a transaction of its own, as fast as it can, in three
modes: the triggers as shipped; the triggers without the advisory lock (the commit
function replaced for the run, restored after); and no triggers at all
(``session_replication_role = replica``). Prints commits per second and the server's
``synchronous_commit``. Run it on a throwaway copy (``seed.py``): it rewrites orders.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import DATABASE_URL, connect

TOGGLE = (
    "UPDATE orders SET executors_count = CASE WHEN executors_count = 0 THEN 1 ELSE 0 END "
    "WHERE id = $1"
)
WITHOUT_LOCK = """
CREATE OR REPLACE FUNCTION srochno_order_event_commit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE order_events SET id = nextval('order_events_id_seq') WHERE id = NEW.id
    RETURNING id INTO NEW.id;
    PERFORM pg_notify('srochno_events', NEW.id::text);
    RETURN NULL;
END $$
"""


async def run(mode: str, orders: list[str], seconds: float) -> float:
    conns = [await connect(DATABASE_URL) for _ in orders]
    try:
        if mode == "no triggers":
            for conn in conns:
                await conn.execute("SET session_replication_role = replica")
        count = 0
        deadline = time.monotonic() + seconds

        async def loop(conn: object, order_id: str) -> None:
            nonlocal count
            while time.monotonic() < deadline:
                async with conn.transaction():  # type: ignore[attr-defined]
                    await conn.execute(TOGGLE, order_id)  # type: ignore[attr-defined]
                count += 1

        started = time.monotonic()
        await asyncio.gather(*(loop(c, o) for c, o in zip(conns, orders, strict=True)))
        return count / (time.monotonic() - started)
    finally:
        for conn in conns:
            await conn.close()


async def main(args: argparse.Namespace) -> None:
    admin = await connect(DATABASE_URL)
    try:
        orders = [
            r["id"]
            for r in await admin.fetch(
                "SELECT id FROM orders WHERE executors_count = 0 AND max_executors >= 1 "
                "ORDER BY id LIMIT $1",
                args.connections,
            )
        ]
        original = await admin.fetchval(
            "SELECT pg_get_functiondef('srochno_order_event_commit'::regproc)"
        )
        settings = {
            name: await admin.fetchval(f"SHOW {name}")
            for name in ("synchronous_commit", "fsync", "commit_delay", "server_version")
        }
        print(json.dumps({"connections": len(orders), **settings}), flush=True)
        for mode in ("shipped", "without the lock", "no triggers"):
            if mode == "without the lock":
                await admin.execute(WITHOUT_LOCK)
            try:
                rate = await run(mode, orders, args.seconds)
            finally:
                if mode == "without the lock":
                    await admin.execute(original)
            print(json.dumps({"mode": mode, "commits_per_second": round(rate)}), flush=True)
    finally:
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    asyncio.run(main(parser.parse_args()))
