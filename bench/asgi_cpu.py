"""CPU per request of the two apps, in-process, without HTTP or a load generator.

    python bench/asgi_cpu.py [--requests 3000] [--only srochno|floor] [--endpoints me,get]

Both ASGI apps are called directly (32 requests in flight, one event loop), and the
process's own CPU time is divided by the number of requests: the Python-side cost of
a request, PostgreSQL's share left out. Far less sensitive to other work on the machine
than throughput, so it is the tool for checking a change to ``src/``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CITIES, DATABASE_URL, ORDER_BODY, authorization, connect, server_env, user_id

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


async def targets() -> tuple[list[str], list[str]]:
    connection = await connect(DATABASE_URL)
    try:
        rows = await connection.fetch(
            "SELECT id FROM orders WHERE status <> 'deleted' ORDER BY md5(id) LIMIT 500"
        )
        free = await connection.fetch(
            "SELECT id FROM orders WHERE status = 'active' AND expires_at > now() + "
            "interval '10 min' AND executors_count = 0 AND city_key <> 'бенчмарк' LIMIT 400"
        )
    finally:
        await connection.close()
    return [r["id"] for r in rows], [r["id"] for r in free]


def jobs(
    endpoint: str, n: int, orders: list[str], free: list[str]
) -> tuple[str, str, str | None, bytes]:
    uid = user_id(5 * (n % 1000 + 1))  # executors: funded
    if endpoint == "list":
        return "GET", f"/api/orders?city={quote(CITIES[n % 5])}&category=plumbing", None, b""
    if endpoint == "get":
        return "GET", f"/api/orders/{orders[n % len(orders)]}", AUTH[uid], b""
    if endpoint == "me":
        return "GET", "/api/users/me", AUTH[uid], b""
    if endpoint == "create":
        return "POST", "/api/orders", AUTH[uid], BODY
    if endpoint == "take":  # 3 takes per order: different executors
        return "POST", f"/api/orders/{free[n // 3 % len(free)]}/take", AUTH[uid], b""
    raise ValueError(endpoint)


AUTH = {user_id(5 * (k + 1)): authorization(user_id(5 * (k + 1))) for k in range(1000)}
BODY = json.dumps(ORDER_BODY, ensure_ascii=False).encode()


async def measure(
    app: App, endpoint: str, count: int, orders: list[str], free: list[str]
) -> dict[str, Any]:
    statuses: dict[int, int] = {}
    counter = iter(range(count))

    async def worker() -> None:
        for n in counter:
            status = await call(app, *jobs(endpoint, n, orders, free))
            statuses[status] = statuses.get(status, 0) + 1

    for _ in range(2):  # warm up, then measure
        counter = iter(range(min(count, 300)))
        await asyncio.gather(*(worker() for _ in range(32)))
    counter = iter(range(count))
    statuses.clear()
    cpu, wall = time.process_time(), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(32)))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {
        "endpoint": endpoint,
        "cpu_us": round(1e6 * cpu / count),
        "wall_rps": round(count / wall),
        "statuses": statuses,
    }


async def main(args: argparse.Namespace) -> None:
    os.environ.update(server_env())
    orders, free = await targets()
    for name in args.apps:
        if name == "srochno":
            from srochno.app import create_app
            from srochno.config import load_settings

            app: Any = create_app(load_settings())
        else:
            app = importlib.import_module("floor_app").app
        async with app.router.lifespan_context(app):
            for endpoint in args.endpoints:
                if endpoint == "take" and name != args.apps[0]:
                    orders, free = await targets()
                result = await measure(app, endpoint, args.requests, orders, free)
                print(json.dumps({"app": name, **result}), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--apps", type=lambda s: s.split(","), default=["srochno", "floor"])
    parser.add_argument(
        "--endpoints",
        type=lambda s: s.split(","),
        default=["list", "get", "me", "create", "take"],
    )
    args = parser.parse_args()
    import uvloop

    uvloop.run(main(args))
