"""Many open streams on one server worker: its memory, and how long an event takes from
its commit to each stream.

    python bench/streams.py [--streams 1000] [--rate 50] [--seconds 20] [--cities 0]

Starts ``srochno serve`` (one worker) on a throwaway database ``srochno_bench_streams``
(created, migrated, dropped; ``BENCH_ADMIN_URL`` names the server), opens ``--streams``
``GET /api/orders/stream`` connections (raw sockets: the client must cost less than the
server), then inserts ``--rate`` orders per second straight into PostgreSQL for
``--seconds`` (the event triggers fire as for an order made through the API) and notes the
moment each commit returned. Every stream is read; every ``--sample``-th one notes when
each event's ``id:`` arrived (parsing all of them would make the client the bottleneck). With
``--cities N`` the streams and the orders are spread over N cities (each stream gets a
share); 0: every stream gets every event.

Prints JSON: the worker's RSS before and with the streams open, and the commit-to-delivery
delay p50/p95/p99/max over every (event, stream) pair; missing deliveries are counted.
``--no-worker``: the process runs no worker (an API process beside ``srochno worker``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BOT_TOKEN

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = "srochno_bench_streams"
PORT = 8791
OWNER = 4242
INSERT_ORDER = (
    "INSERT INTO orders (id, owner_id, category, description, city, city_key, contact, "
    "status, max_executors, take_price, created_at, updated_at, expires_at) "
    "VALUES ($1, $2, 'courier', 'Отвезти документы через весь город, срочно', $3, $4, "
    "'+7 999 000-00-00', 'active', 3, 2, now(), now(), now() + interval '1 hour')"
)


def city_of(index: int, cities: int) -> str:
    return f"Город{index % cities}" if cities else "Москва"


class Reader:
    """One stream: when each event id arrived (or, not ``measured``, read and dropped)."""

    def __init__(self, measured: bool = True) -> None:
        self.arrived: dict[int, float] = {}
        self.ready = asyncio.Event()
        self.measured = measured

    async def run(self, path: str) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", PORT, limit=1 << 20)
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        buffer = b""
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    return
                now = time.monotonic()
                if not self.ready.is_set() and b": connected" in chunk:
                    self.ready.set()
                if not self.measured:
                    continue
                buffer += chunk
                cut = buffer.rfind(b"\n")
                lines, buffer = buffer[: cut + 1], buffer[cut + 1 :]
                start = lines.find(b"\nid: ")
                while start >= 0:
                    end = lines.index(b"\n", start + 5)
                    self.arrived[int(lines[start + 5 : end])] = now
                    start = lines.find(b"\nid: ", end)
        finally:
            writer.close()


def read_streams(paths: list[str], ready: Any, stop: Any, results: Any, sample: int) -> None:
    """A reader process: its share of the streams (one Python process cannot parse a
    million deliveries in time; CLOCK_MONOTONIC is the same in every process)."""

    async def run() -> None:
        readers = [Reader(measured=i % sample == 0) for i in range(len(paths))]
        tasks = [asyncio.create_task(r.run(path)) for r, path in zip(readers, paths, strict=True)]
        await asyncio.wait_for(asyncio.gather(*(r.ready.wait() for r in readers)), 120)
        ready.set()
        while not stop.is_set():  # noqa: ASYNC110 (a multiprocessing event)
            await asyncio.sleep(0.2)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        results.put([r.arrived for r in readers if r.measured])

    asyncio.run(run())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main(args: argparse.Namespace) -> dict[str, Any]:
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} (FORCE)")
    await admin.execute(f"CREATE DATABASE {DATABASE}")
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DATABASE}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "AUTO_CLOSE_INTERVAL_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "SSE_MAX_SECONDS": "3600",
        "RATE_IP_PER_MINUTE": "1000000000",
    }
    server = subprocess.Popen(  # noqa: ASYNC220 (started once, before any load)
        [
            sys.executable,
            *("-m", "srochno", "serve", "--port", str(PORT)),
            *(["--no-worker"] if args.no_worker else []),
        ],
        env=env,
    )
    try:
        conn = await asyncpg.connect(url)
        for _ in range(300):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", PORT)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        await conn.execute(
            "INSERT INTO users (id, first_name, created_at, updated_at) "
            "VALUES ($1, 'Bench', now(), now()) ON CONFLICT DO NOTHING",
            OWNER,
        )
        worker = psutil.Process(server.pid)
        await asyncio.sleep(1)
        rss_idle = worker.memory_info().rss
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        stop = context.Event()
        results: Any = context.Queue()
        paths = [
            "/api/orders/stream"
            + (f"?city={quote(city_of(i, args.cities))}" if args.cities else "")
            for i in range(args.streams)
        ]
        shares = [paths[k :: args.readers] for k in range(args.readers)]
        flags = [context.Event() for _ in shares]
        processes = [
            context.Process(target=read_streams, args=(share, flag, stop, results, args.sample))
            for share, flag in zip(shares, flags, strict=True)
        ]
        for process in processes:
            process.start()
        for flag in flags:
            while not flag.is_set():  # noqa: ASYNC110 (a multiprocessing event)
                await asyncio.sleep(0.1)
        await asyncio.sleep(2)
        rss_open = worker.memory_info().rss
        cpu_before = worker.cpu_times()

        committed: dict[int, tuple[float, int]] = {}  # event id -> (commit time, city index)
        interval = 1 / args.rate
        started = time.monotonic()
        for n in range(args.rate * args.seconds):
            await asyncio.sleep(max(0.0, started + n * interval - time.monotonic()))
            city = city_of(n, args.cities)
            async with conn.transaction():
                await conn.execute(
                    INSERT_ORDER, secrets.token_urlsafe(9), OWNER, city, city.lower()
                )
            committed_at = time.monotonic()
            event_id = await conn.fetchval("SELECT max(id) FROM order_events")
            committed[event_id] = (committed_at, n % args.cities if args.cities else -1)
        await asyncio.sleep(3)
        cpu_after = worker.cpu_times()
        stop.set()
        arrivals: list[list[dict[int, float]]] = []
        for _ in processes:
            arrivals.append(await asyncio.to_thread(results.get))
        for process in processes:
            process.join()
        delays = [
            got - at
            for part in arrivals
            for arrived in part
            for event_id, (at, _) in committed.items()
            if (got := arrived.get(event_id)) is not None
        ]
        expected = sum(
            sum(1 for _, c in committed.values() if not args.cities or c == i % args.cities)
            for k in range(args.readers)
            for n, i in enumerate(range(k, args.streams, args.readers))
            if n % args.sample == 0
        )
        missing = expected - len(delays)
        await conn.close()
        busy = (cpu_after.user + cpu_after.system) - (cpu_before.user + cpu_before.system)
        return {
            "streams": args.streams,
            "cities": args.cities,
            "orders_per_second": args.rate,
            "events": len(committed),
            "deliveries": len(delays),
            "missing": missing,
            "rss_idle_mb": round(rss_idle / 2**20, 1),
            "rss_streams_mb": round(rss_open / 2**20, 1),
            "rss_per_stream_kb": round((rss_open - rss_idle) / args.streams / 1024, 1),
            "server_cpu_share": round(busy / (args.seconds + 3), 2),
            "delay_ms": {
                "p50": round(1000 * statistics.median(delays), 1),
                "p95": round(1000 * percentile(delays, 0.95), 1),
                "p99": round(1000 * percentile(delays, 0.99), 1),
                "max": round(1000 * max(delays), 1),
            },
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE} (FORCE)")
        await admin.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--cities", type=int, default=0)
    parser.add_argument("--readers", type=int, default=2, help="client processes")
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="an API process as deployed beside a worker (serve --no-worker)",
    )
    parser.add_argument(
        "--sample", type=int, default=10, help="measure every Nth stream (all are read)"
    )
    print(json.dumps(asyncio.run(main(parser.parse_args())), indent=2))
