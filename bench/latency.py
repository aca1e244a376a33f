"""Latency at a fixed request rate: half of what the floor serves when saturated.

    python bench/latency.py [--endpoints list,get,me] [--duration 15] [--workers 1]

For each GET endpoint: the floor is saturated with wrk (32 connections) to find its
throughput; then Srochno and the floor are each driven at half that rate by an open-loop
generator (requests start on a fixed schedule whatever the answers do; a latency counts
from the scheduled start, so a stall is not hidden), and p50 / p95 / p99 are printed as a
Markdown table. Needs the seeded ``srochno_bench`` database (see README.md) and wrk.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import BENCH, GET_ENDPOINTS, PORT, request_files, run_measured, serve

CONNECTIONS = 32


def saturated_rps(url: str, requests: Path, duration: float) -> float:
    out, _ = run_measured(
        [
            "wrk",
            "-t1",
            f"-c{CONNECTIONS}",
            f"-d{duration:g}s",
            "-s",
            str(BENCH / "wrk" / "requests.lua"),
            url,
            "--",
            str(requests),
        ]
    )
    line = next(line for line in out.splitlines() if line.startswith(("JSON ", "{")))
    figures = json.loads(line.removeprefix("JSON "))
    return float(figures["requests"]) / duration


async def open_loop(
    url: str, lines: list[list[str]], rate: float, duration: float
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:

        async def one(index: int, due: float) -> None:
            nonlocal errors
            method, path, authorization = (lines[index % len(lines)] + [""])[:3]
            headers = {"Authorization": authorization} if authorization else {}
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                response = await client.request(method, path, headers=headers)
                if response.status_code >= 400:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - due)

        start = time.perf_counter() + 0.5
        count = int(rate * duration)
        await asyncio.gather(*(one(i, start + i / rate) for i in range(count)))
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "rate": round(rate),
        "requests": len(latencies),
        "errors": errors,
        "p50_ms": round(1000 * quantiles[49], 1),
        "p95_ms": round(1000 * quantiles[94], 1),
        "p99_ms": round(1000 * quantiles[98], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", type=lambda s: s.split(","), default=list(GET_ENDPOINTS))
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--size", type=int, default=10_000, help="the seeded order count")
    parser.add_argument("--users", type=int, default=10_000)
    args = parser.parse_args()
    files = request_files(args.size, args.users, Path(tempfile.mkdtemp(prefix="latency-")))
    rows = []
    for endpoint in args.endpoints:
        with serve("floor", args.workers, PORT) as server:
            saturated = saturated_rps(server.url, files[endpoint], args.duration)
        rate = saturated / 2
        for app in ("srochno", "floor"):
            with serve(app, args.workers, PORT) as server:
                lines = [row.split("\t") for row in files[endpoint].read_text().splitlines()]
                result = asyncio.run(open_loop(server.url, lines, rate, args.duration))
            rows.append((endpoint, app, round(saturated), result))
            print(json.dumps({"endpoint": endpoint, "app": app, **result}), flush=True)
    print("\n| endpoint | floor saturated req/s | rate | app | p50 / p95 / p99 ms | errors |")
    print("|---|---|---|---|---|---|")
    for endpoint, app, saturated, r in rows:
        print(
            f"| {endpoint} | {saturated} | {r['rate']} | {app} "
            f"| {r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} | {r['errors']} |"
        )


if __name__ == "__main__":
    main()
