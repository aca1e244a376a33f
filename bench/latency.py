"""Latency at a fixed request rate: half of what the floor serves when saturated.

    python bench/latency.py [--endpoints list,get,me] [--duration 15] [--workers 1]

For each GET endpoint: the floor is saturated with wrk (32 connections) to find its
throughput; then Srochno and the floor are each driven at half that rate by an open-loop
generator (requests start on a fixed schedule whatever the answers do; a latency counts
from the scheduled start, so a stall is not hidden; 32 keep-alive connections, a
minimal client so that the generator is not the bottleneck), and p50 / p95 / p99 are printed as a
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

import uvloop

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


async def _connection(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(host, port)


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    """One request on a keep-alive connection; the status. (A minimal HTTP/1.1 client: a
    general one costs more CPU per request than the servers measured here.)"""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def open_loop(
    url: str, lines: list[list[str]], rate: float, duration: float
) -> dict[str, float]:
    host, port = url.removeprefix("http://").split(":")
    requests = []
    for line in lines:
        method, path, authorization = [*line, "", ""][:3]
        auth = f"Authorization: {authorization}\r\n" if authorization else ""
        requests.append(f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{auth}\r\n".encode())
    count = int(rate * duration)
    queue: asyncio.Queue[tuple[int, float]] = asyncio.Queue()
    latencies: list[float] = []
    errors = 0

    async def connection() -> None:
        nonlocal errors
        reader, writer = await _connection(host, int(port))
        try:
            while True:
                index, due = await queue.get()
                if index < 0:
                    return
                try:
                    status = await _exchange(reader, writer, requests[index % len(requests)])
                    errors += status >= 400
                except (OSError, asyncio.IncompleteReadError, ValueError):
                    errors += 1
                    writer.close()
                    reader, writer = await _connection(host, int(port))
                latencies.append(time.perf_counter() - due)
        finally:
            writer.close()

    workers = [asyncio.create_task(connection()) for _ in range(CONNECTIONS)]
    start = time.perf_counter() + 0.5
    for index in range(count):  # requests start on schedule, whatever the answers do
        due = start + index / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((index, due))
    for _ in workers:
        queue.put_nowait((-1, 0.0))
    await asyncio.gather(*workers)
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
                result = uvloop.run(open_loop(server.url, lines, rate, args.duration))
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
