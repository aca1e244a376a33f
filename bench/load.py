"""Authenticated POST load: asyncio + httpx, keep-alive, a fixed number of concurrent
requests, each bounded in count and time. Prints one JSON line with the figures.

    python bench/load.py create     --url http://127.0.0.1:8000 --users 10000
    python bench/load.py take       --url ... --users 10000   # a different order each time
    python bench/load.py contended  --url ... --users 10000   # 50 racers per order

The take scenarios insert their own target orders (in the bench city, so the seeded
lists do not change) before the clock starts; executors are the seeded funded users, a
different one for each request in flight, so only the order row is contended.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    BENCH_CITY,
    DATABASE_URL,
    ORDER_BODY,
    authorization,
    connect,
    is_executor,
    user_id,
)
from srochno.catalog import normalize_city
from srochno.orders.repository import ORDER_FIELDS

RACERS = 50
TARGET_OWNER = user_id(1)  # not an executor: every fifth user is


@dataclass(frozen=True)
class Job:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass
class Outcome:
    latencies: list[float]
    statuses: Counter[int]
    elapsed: float
    cpu_seconds: float


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


async def drive(
    url: str, jobs: Callable[[int], Job | None], concurrency: int, duration: float
) -> Outcome:
    """Send ``jobs(0), jobs(1), …`` with ``concurrency`` requests in flight until the jobs
    run out or ``duration`` seconds pass."""
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    counter = iter(range(10**9))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30.0) as client:
        # Open every keep-alive connection before the clock starts.
        await asyncio.gather(*(client.get("/health") for _ in range(concurrency)))
        started = time.perf_counter()
        cpu_started = time.process_time()
        deadline = started + duration

        async def worker() -> None:
            while time.perf_counter() < deadline:
                job = jobs(next(counter))
                if job is None:
                    return
                sent = time.perf_counter()
                response = await client.request(
                    job.method, job.path, headers=job.headers, content=job.body
                )
                await response.aread()
                latencies.append(time.perf_counter() - sent)
                statuses[response.status_code] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
    return Outcome(latencies, statuses, elapsed, cpu)


async def insert_targets(database_url: str, count: int) -> list[str]:
    """``count`` fresh active orders in the bench city, owned by a user who never takes."""
    now = datetime.now(UTC)
    ids = [secrets.token_urlsafe(9) for _ in range(count)]
    records = [
        (
            oid,
            TARGET_OWNER,
            ORDER_BODY["category"],
            ORDER_BODY["description"],
            BENCH_CITY,
            normalize_city(BENCH_CITY),
            ORDER_BODY["contact"],
            "active",
            3,
            2,
            0,
            now,
            now,
            now + timedelta(minutes=60),
        )
        for oid in ids
    ]
    connection = await connect(database_url)
    try:
        await connection.copy_records_to_table(
            "orders",
            records=records,
            columns=ORDER_FIELDS[: ORDER_FIELDS.index("expires_at") + 1],
        )
    finally:
        await connection.close()
    return ids


async def retire_targets(database_url: str) -> dict[str, int]:
    """Close the bench city's orders (as the expiry job would) and count what the run did."""
    connection = await connect(database_url)
    try:
        row = await connection.fetchrow(
            "SELECT count(*) AS orders, coalesce(sum(executors_count), 0) AS takes, "
            "count(*) FILTER (WHERE executors_count > 3) AS over_cap FROM orders "
            "WHERE city_key = $1 AND status = 'active'",
            normalize_city(BENCH_CITY),
        )
        await connection.execute(
            "UPDATE orders SET status = 'expired' WHERE city_key = $1 AND status = 'active'",
            normalize_city(BENCH_CITY),
        )
    finally:
        await connection.close()
    return dict(row)


def executors(users: int, count: int) -> list[str]:
    """Authorization headers of ``count`` funded executors (every fifth seeded user)."""
    ids = [user_id(n) for n in range(1, users + 1) if is_executor(user_id(n))][:count]
    return [authorization(uid) for uid in ids]


async def scenario(args: argparse.Namespace) -> dict[str, object]:
    body = json.dumps(ORDER_BODY, ensure_ascii=False).encode()
    json_headers = {"Content-Type": "application/json"}
    if args.scenario == "create":
        owners = [authorization(user_id(n)) for n in range(1, min(args.users, 5000) + 1)]

        def jobs(i: int) -> Job | None:
            return Job(
                "POST",
                "/api/orders",
                {**json_headers, "Authorization": owners[i % len(owners)]},
                body,
            )

    elif args.scenario == "take":
        # Enough fresh orders for the whole run; one take each.
        targets = await insert_targets(args.database_url, args.targets)
        takers = executors(args.users, 2000)

        def jobs(i: int) -> Job | None:
            if i >= len(targets):
                return None
            return Job(
                "POST", f"/api/orders/{targets[i]}/take", {"Authorization": takers[i % len(takers)]}
            )

    elif args.scenario == "contended":
        targets = await insert_targets(args.database_url, args.targets // RACERS)
        takers = executors(args.users, 2000)

        def jobs(i: int) -> Job | None:
            order = i // RACERS
            if order >= len(targets):
                return None
            return Job(
                "POST",
                f"/api/orders/{targets[order]}/take",
                {"Authorization": takers[i % len(takers)]},
            )

    else:
        raise SystemExit(f"unknown scenario {args.scenario}")

    outcome = await drive(args.url, jobs, args.concurrency, args.duration)
    latencies = sorted(outcome.latencies)
    result: dict[str, object] = {
        "scenario": args.scenario,
        "requests": len(latencies),
        "seconds": round(outcome.elapsed, 3),
        "rps": round(len(latencies) / outcome.elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000, 2),
        "p95_ms": round(percentile(latencies, 95) * 1000, 2),
        "p99_ms": round(percentile(latencies, 99) * 1000, 2),
        "max_ms": round(latencies[-1] * 1000, 2) if latencies else None,
        "statuses": {str(k): v for k, v in sorted(outcome.statuses.items())},
        "client_cpu_seconds": round(outcome.cpu_seconds, 2),
    }
    if args.scenario in ("take", "contended"):
        result["targets"] = await retire_targets(args.database_url)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", choices=("create", "take", "contended"))
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--users", type=int, default=10_000, help="seeded users")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--duration", type=float, default=12.0, help="seconds, at most")
    parser.add_argument(
        "--targets", type=int, default=15_000, help="requests the take scenarios prepare for"
    )
    args = parser.parse_args()
    try:
        import uvloop
    except ImportError:
        result = asyncio.run(scenario(args))
    else:
        result = uvloop.run(scenario(args))
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
