"""CPU per request of the two apps, in-process, without HTTP or a load generator.

    python bench/asgi_cpu.py [--requests 3000] [--slices 10] [--apps srochno,floor]
                             [--endpoints list,near,get,me,create,take]
    python bench/asgi_cpu.py --apps srochno,srochno-pooler   # direct vs through PgBouncer

Each ASGI app is called directly (32 requests in flight, one event loop), and its
process's own CPU time is divided by the number of requests: the Python-side cost of
a request, PostgreSQL's share left out. Far less sensitive to other work on the machine
than throughput, so it is the tool for checking a change to ``src/``.

Each app runs in a process of its own (its background work, such as the live feed's
listener, counted where it belongs), and the two take turns: every endpoint's requests
are cut into ``--slices`` slices, run alternately on one app and the other, so a slow
spell of a shared machine falls on both. Every take slice gets fresh orders (created
through the floor, not measured): three funded executors take each, the successful path.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import random
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CITIES, DATABASE_URL, ORDER_BODY, authorization, connect, server_env, user_id
from srochno.catalog import normalize_city
from srochno.geo import cell_of

App = Callable[[dict[str, Any], Any, Any], Awaitable[None]]


CLIENT_IPS = int(os.environ.get("BENCH_CLIENT_IPS", "1"))
"""How many client addresses the requests come from (1: all from 127.0.0.1, one per-IP
rate-limit counter that every request updates)."""
_sent = iter(range(1 << 62))


def client_address() -> str:
    if CLIENT_IPS == 1:
        return "127.0.0.1"
    n = next(_sent) % CLIENT_IPS
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


async def call(app: App, method: str, target: str, auth: str | None, body: bytes = b"") -> int:
    path, _, query = target.partition("?")
    headers = [(b"host", b"127.0.0.1")]
    if auth:
        headers.append((b"authorization", auth.encode()))
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": headers,
        "client": (client_address(), 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def targets() -> list[str]:
    """Orders to read: listed ones and history."""
    connection = await connect(DATABASE_URL)
    try:
        rows = await connection.fetch(
            "SELECT id FROM orders WHERE status <> 'deleted' ORDER BY md5(id) LIMIT 500"
        )
    finally:
        await connection.close()
    return [r["id"] for r in rows]


CLIENT = user_id(1)
"""The client whose fresh orders the executors take (not an executor: every fifth is)."""


async def fresh_orders(app: App, count: int) -> list[str]:
    """``count`` new active orders, created through ``app``."""
    auth = AUTH_CLIENT
    for _ in range(count):
        status = await call(app, "POST", "/api/orders", auth, BODY)
        assert status == 201, status
    connection = await connect(DATABASE_URL)
    try:
        rows = await connection.fetch(
            "SELECT id FROM orders WHERE owner_id = $1 AND status = 'active' "
            "AND executors_count = 0 ORDER BY created_at DESC LIMIT $2",
            CLIENT,
            count,
        )
    finally:
        await connection.close()
    return [r["id"] for r in rows]


def jobs(
    endpoint: str, n: int, orders: list[str], free: list[str], start: int = 0
) -> tuple[str, str, str | None, bytes]:
    """Request ``n`` of ``endpoint``; a take slice starting at request ``start`` takes
    its own fresh orders (``free``), three executors each."""
    uid = user_id(5 * (n % 1000 + 1))  # executors: funded
    if endpoint == "list":
        return "GET", f"/api/orders?city={quote(CITIES[n % 5])}&category=plumbing", None, b""
    if endpoint == "near":  # anonymous, as the list: positions around Moscow's centre
        lat, lon = NEAR_AT[n % len(NEAR_AT)]
        return "GET", f"/api/orders?near={lat},{lon}&radius_km=5&category=plumbing", None, b""
    if endpoint == "get":
        return "GET", f"/api/orders/{orders[n % len(orders)]}", AUTH[uid], b""
    if endpoint == "me":
        return "GET", "/api/users/me", AUTH[uid], b""
    if endpoint == "create":
        return "POST", "/api/orders", AUTH[uid], BODY
    if endpoint == "take":  # 3 takes per order: different executors
        return "POST", f"/api/orders/{free[(n - start) // 3]}/take", AUTH[uid], b""
    raise ValueError(endpoint)


AUTH = {user_id(5 * (k + 1)): authorization(user_id(5 * (k + 1))) for k in range(1000)}
AUTH_CLIENT = authorization(CLIENT)
BODY = json.dumps(ORDER_BODY, ensure_ascii=False).encode()


WARM_UP = 300
CONCURRENCY = 32


async def measure(
    app: App, endpoint: str, start: int, count: int, orders: list[str], free: list[str]
) -> dict[str, Any]:
    """Requests ``start .. start + count`` of ``endpoint``: their CPU and statuses."""
    statuses: dict[int, int] = {}
    counter = iter(range(start, start + count))

    async def worker() -> None:
        for n in counter:
            status = await call(app, *jobs(endpoint, n, orders, free, start))
            statuses[status] = statuses.get(status, 0) + 1

    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return {
        "cpu": time.process_time() - cpu,
        "wall": time.perf_counter() - wall,
        "statuses": statuses,
    }


POOLER_URL_VARIABLE = "BENCH_POOLER_URL"
"""Where ``srochno-pooler`` finds the PgBouncer in front of the bench database (set by
``main``, which starts one)."""


def load_app(name: str) -> Any:
    if name == "srochno-pooler":  # requests through PgBouncer in transaction mode
        from srochno.app import create_app
        from srochno.config import load_settings

        os.environ["DATABASE_DIRECT_URL"] = DATABASE_URL
        os.environ["DATABASE_URL"] = os.environ[POOLER_URL_VARIABLE]
        os.environ.setdefault("DATABASE_POOLER", "transaction")
        return create_app(load_settings())
    if name == "srochno-nocache":  # direct, with the pooler's setting: what the cache saves
        from srochno.app import create_app
        from srochno.config import load_settings

        os.environ["DATABASE_POOLER"] = "transaction"
        return create_app(load_settings())
    if name == "srochno":
        from srochno.app import create_app
        from srochno.config import load_settings

        return create_app(load_settings())
    return importlib.import_module("floor_app").app


def serve(name: str, pipe: Connection) -> None:
    """One app's process: runs the commands it is sent, in its own event loop."""
    import uvloop

    os.environ.update(server_env())
    loop = uvloop.new_event_loop()
    app = load_app(name)
    stack = AsyncExitStack()
    loop.run_until_complete(stack.enter_async_context(app.router.lifespan_context(app)))
    orders = loop.run_until_complete(targets())
    try:
        while (command := pipe.recv()) is not None:
            kind, *rest = command
            if kind == "orders":
                pipe.send(loop.run_until_complete(fresh_orders(app, *rest)))
            else:
                endpoint, start, count, free = rest
                result = measure(app, endpoint, start, count, orders, free)
                pipe.send(loop.run_until_complete(result))
    finally:
        loop.run_until_complete(stack.aclose())


class Runner:
    """The parent's handle on one app's process."""

    def __init__(self, name: str) -> None:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self.name = name
        self.pipe, child = context.Pipe()
        self.process = context.Process(target=serve, args=(name, child), daemon=True)
        self.process.start()

    def ask(self, *command: Any) -> Any:
        self.pipe.send(command)
        return self.pipe.recv()

    def close(self) -> None:
        self.pipe.send(None)
        self.process.join(30)


def run_endpoint(
    runners: list[Runner], setup: Runner, endpoint: str, requests: int, slices: int
) -> dict[str, dict[str, Any]]:
    per_slice = max(1, requests // slices)

    def free_orders(count: int) -> list[str]:
        return setup.ask("orders", count // 3 + 1) if endpoint == "take" else []

    for runner in runners:  # warm up
        for start in (requests, requests + WARM_UP):
            runner.ask("measure", endpoint, start, WARM_UP, free_orders(WARM_UP))
    totals = {r.name: {"cpu": 0.0, "wall": 0.0, "count": 0, "statuses": {}} for r in runners}
    for slice_ in range(slices):
        order = runners if slice_ % 2 == 0 else runners[::-1]
        start = slice_ * per_slice
        for runner in order:
            result = runner.ask("measure", endpoint, start, per_slice, free_orders(per_slice))
            total = totals[runner.name]
            total["cpu"] += result["cpu"]
            total["wall"] += result["wall"]
            total["count"] += per_slice
            for status, count in result["statuses"].items():
                total["statuses"][status] = total["statuses"].get(status, 0) + count
    return totals


LISTED = """
SELECT count(*) AS listed, count(*) FILTER (WHERE expires_at < now() + interval '15 min') AS ending
FROM orders WHERE status = 'active' AND expires_at > now() AND category = 'plumbing'
AND city_key = ANY($1::text[])
"""


MOSCOW = (55.7558, 37.6173)
SPREAD_DEG = 0.08
"""Located orders lie within this of Moscow's centre (about ±9 km north–south, ±5 km
east–west); the near feed is asked from points within half of it."""
_positions = random.Random(7)
NEAR_AT = [
    (
        round(MOSCOW[0] + _positions.uniform(-SPREAD_DEG, SPREAD_DEG) / 2, 6),
        round(MOSCOW[1] + _positions.uniform(-SPREAD_DEG, SPREAD_DEG) / 2, 6),
    )
    for _ in range(100)
]


async def locate_seed() -> None:
    """The near feed reads located orders: the seeded active orders of Moscow get points
    around its centre (the same points on every run; unlocated orders stay where they are
    in the city list)."""
    connection = await connect(DATABASE_URL)
    try:
        ids = await connection.fetch(
            "SELECT id FROM orders WHERE status = 'active' AND city_key = $1 ORDER BY id",
            normalize_city(CITIES[0]),
        )
        rng = random.Random(1)
        rows = []
        for row in ids:
            lat = round(MOSCOW[0] + rng.uniform(-SPREAD_DEG, SPREAD_DEG), 6)
            lon = round(MOSCOW[1] + rng.uniform(-SPREAD_DEG, SPREAD_DEG), 6)
            rows.append((row["id"], lat, lon, cell_of(lat, lon)))
        await connection.executemany(
            "UPDATE orders SET lat = $2, lon = $3, cell = $4 WHERE id = $1 AND lat IS NULL", rows
        )
    finally:
        await connection.close()
    print(f"{len(rows)} active orders of {CITIES[0]} located", file=sys.stderr)


async def check_seed() -> None:
    """The list's pages shrink as the seeded orders expire (30 to 60 minutes after
    seeding): a list figure is comparable only on a fresh seed."""
    connection = await connect(DATABASE_URL)
    try:
        row = await connection.fetchrow(LISTED, [normalize_city(c) for c in CITIES[:5]])
    finally:
        await connection.close()
    if row["ending"] or not row["listed"]:
        print(
            f"warning: {row['ending']} of the {row['listed']} listed orders end within 15 "
            "minutes: the list's pages shrink during the run; reseed (bench/seed.py) first",
            file=sys.stderr,
        )


def main(args: argparse.Namespace) -> None:
    if "srochno-pooler" in args.apps and POOLER_URL_VARIABLE not in os.environ:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from tests.pgbouncer import run_pgbouncer

        with run_pgbouncer(DATABASE_URL) as url:
            os.environ[POOLER_URL_VARIABLE] = url
            main(args)
        return
    if {"list", "near"} & set(args.endpoints):
        asyncio.run(check_seed())
    if "near" in args.endpoints:
        asyncio.run(locate_seed())
    runners = [Runner(name) for name in args.apps]
    setup = next((r for r in runners if r.name == "floor"), runners[0])
    ratios = []
    try:
        for endpoint in args.endpoints:
            totals = run_endpoint(runners, setup, endpoint, args.requests, args.slices)
            for name, total in totals.items():
                line = {
                    "app": name,
                    "endpoint": endpoint,
                    "cpu_us": round(1e6 * total["cpu"] / total["count"]),
                    "wall_rps": round(total["count"] / total["wall"]),
                    "statuses": total["statuses"],
                }
                print(json.dumps(line), flush=True)
            if {"srochno", "floor"} <= set(totals):
                ratio = totals["floor"]["cpu"] / totals["srochno"]["cpu"]
                ratios.append(f"{endpoint} {ratio:.2f}")
            if {"srochno", "srochno-pooler"} <= set(totals):
                ratio = totals["srochno"]["cpu"] / totals["srochno-pooler"]["cpu"]
                ratios.append(f"{endpoint} {ratio:.2f} (direct ÷ pooler)")
            if {"srochno", "srochno-nocache"} <= set(totals):
                ratio = totals["srochno"]["cpu"] / totals["srochno-nocache"]["cpu"]
                ratios.append(f"{endpoint} {ratio:.2f} (direct ÷ direct without cache)")
    finally:
        for runner in runners:
            runner.close()
    if ratios:
        print("floor ÷ srochno: " + ", ".join(ratios), file=sys.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--slices", type=int, default=10)
    parser.add_argument("--apps", type=lambda s: s.split(","), default=["srochno", "floor"])
    parser.add_argument(
        "--endpoints",
        type=lambda s: s.split(","),
        default=["list", "near", "get", "me", "create", "take"],
    )
    main(parser.parse_args())
