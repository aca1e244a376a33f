"""Run the whole benchmark: seed, serve (Srochno and the floor), load, record, report.

    python bench/run.py --pass-name pass1          # writes bench/results/pass1.json
    python bench/run.py --report pass1 pass2       # prints the Markdown tables

For every data size: seed it, then for 1 and 2 server workers start Srochno and then the
floor (one after the other, on the same data) and drive each endpoint with the same tool:
wrk for the GETs, ``load.py`` for the POSTs. Alongside throughput and latency it records
the CPU time the server's workers spent per request (less sensitive than throughput to
other work on a shared machine), the load generator's CPU, how busy the whole machine
was, and the workers' resident memory after the run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CITIES, DATABASE_URL, authorization, connect, server_env, user_id
from srochno.catalog import CATEGORIES

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent

RESULTS = BENCH / "results"
PYTHON = sys.executable
SRV = ROOT / ".venv" / "bin" / "srochno"
GET_ENDPOINTS = ("list", "get", "me")
POST_ENDPOINTS = ("create", "take", "contended")
PORT = 8790


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str

    def workers(self) -> list[psutil.Process]:
        root = psutil.Process(self.process.pid)
        children = [
            child
            for child in root.children(recursive=True)
            if "resource_tracker" not in " ".join(child.cmdline())
        ]
        return children or [root]

    def cpu_seconds(self) -> float:
        total = 0.0
        for worker in self.workers():
            times = worker.cpu_times()
            total += times.user + times.system
        return total

    def rss_mb(self) -> list[float]:
        return [round(worker.memory_info().rss / 2**20, 1) for worker in self.workers()]


@contextmanager
def serve(app: str, workers: int, port: int) -> Iterator[Server]:
    if app == "srochno":
        command = [
            str(SRV),
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-migrate",
        ]
    else:
        command = [
            PYTHON,
            "-m",
            "uvicorn",
            "floor_app:app",
            "--app-dir",
            str(BENCH),
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
    log = open(RESULTS / f"server-{app}.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(command, env=server_env(), stdout=log, stderr=log, cwd=ROOT)
    server = Server(process, f"http://127.0.0.1:{port}")
    try:
        wait_ready(server, workers)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_ready(server: Server, workers: int) -> None:
    header = {"Authorization": authorization(user_id(1))}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"server exited with {server.process.returncode}")
        try:
            response = httpx.get(server.url + "/api/users/me", headers=header)
            if response.status_code == 200 and len(server.workers()) >= workers:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise SystemExit("server did not become ready within 60 s")


def run_measured(command: list[str]) -> tuple[str, float]:
    """Run a load generator; its output and the CPU seconds it used."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None
    assert process.stderr is not None
    out = process.stdout.read().decode()
    err = process.stderr.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({process.returncode}): {err[-2000:]}")
    return out, usage.ru_utime + usage.ru_stime


def machine_busy() -> float:
    times = psutil.cpu_times()
    return times.user + times.system + times.nice + getattr(times, "irq", 0.0) + times.softirq


def measure(
    server: Server, endpoint: str, files: dict[str, Path], users: int, duration: float
) -> dict[str, object]:
    if endpoint in GET_ENDPOINTS:
        command = [
            "wrk",
            "-t1",
            "-c32",
            f"-d{duration:g}s",
            "-s",
            str(BENCH / "wrk" / "requests.lua"),
            server.url,
            "--",
            str(files[endpoint]),
        ]
    else:
        command = [
            PYTHON,
            str(BENCH / "load.py"),
            endpoint,
            "--url",
            server.url,
            "--users",
            str(users),
            "--duration",
            f"{duration:g}",
            "--targets",
            "30000",
        ]
    cpu_before, busy_before, started = server.cpu_seconds(), machine_busy(), time.monotonic()
    out, client_cpu = run_measured(command)
    wall = time.monotonic() - started
    server_cpu = server.cpu_seconds() - cpu_before
    busy = (machine_busy() - busy_before) / (wall * psutil.cpu_count())
    line = next(line for line in out.splitlines() if line.startswith(("JSON ", "{")))
    result: dict[str, object] = json.loads(line.removeprefix("JSON "))
    requests = int(result["requests"])  # type: ignore[call-overload]
    result.update(
        server_cpu_ms_per_request=round(1000 * server_cpu / max(requests, 1), 3),
        client_cpu_seconds=round(client_cpu, 2),
        machine_busy=round(busy, 2),
    )
    return result


def request_files(size: int, users: int, workdir: Path) -> dict[str, Path]:
    """The GET requests wrk replays: anonymous list pages of the 10 biggest cities in every
    category; orders (half listed, half history) read by signed-in users; profiles."""
    rng = random.Random(size)

    async def order_ids() -> tuple[list[str], list[str]]:
        connection = await connect(DATABASE_URL)
        try:
            active = await connection.fetch(
                "SELECT id FROM orders WHERE status = 'active' AND expires_at > now() "
                "ORDER BY id LIMIT 1000"
            )
            old = await connection.fetch(
                "SELECT id FROM orders TABLESAMPLE SYSTEM (5) "
                "WHERE status NOT IN ('active', 'deleted') LIMIT 1000"
            )
        finally:
            await connection.close()
        return [r["id"] for r in active], [r["id"] for r in old]

    import asyncio

    active, old = asyncio.run(order_ids())
    viewers = [user_id(rng.randint(1, users)) for _ in range(1000)]
    headers = {uid: authorization(uid) for uid in viewers}
    paths = [
        f"/api/orders?city={quote(city)}&category={category}"
        for city in CITIES[:10]
        for category in CATEGORIES
    ]
    rng.shuffle(paths)
    files = {name: workdir / f"{name}-{size}.tsv" for name in GET_ENDPOINTS}
    files["list"].write_text("".join(f"GET\t{path}\t\n" for path in paths))
    orders = [*active, *old]
    rng.shuffle(orders)
    files["get"].write_text(
        "".join(
            f"GET\t/api/orders/{oid}\t{headers[viewers[i % len(viewers)]]}\n"
            for i, oid in enumerate(orders)
        )
    )
    files["me"].write_text("".join(f"GET\t/api/users/me\t{headers[uid]}\n" for uid in viewers))
    return files


def explain(size: int) -> str:
    """EXPLAIN ANALYZE of the list page's two statements, as the service sends them."""
    import asyncio
    from datetime import UTC, datetime, timedelta

    from srochno.orders.repository import feed_statements

    count, page = feed_statements(True, True, False)
    now = datetime.now(UTC)
    params = (now, now - timedelta(minutes=15), "москва", "plumbing")
    statements = ((count, params), (page, (*params, 20, 0)))

    async def run() -> str:
        connection = await connect(DATABASE_URL)
        try:
            parts = [f"-- {size} orders"]
            for statement, values in statements:
                for _ in range(3):  # warm; the last one is kept
                    rows = await connection.fetch(
                        f"EXPLAIN (ANALYZE, BUFFERS) {statement}", *values
                    )
                parts.append(statement)
                parts.extend(row[0] for row in rows)
            return "\n".join(parts) + "\n"
        finally:
            await connection.close()

    return asyncio.run(run())


def seed(size: int) -> None:
    subprocess.run([PYTHON, str(BENCH / "seed.py"), "--orders", str(size)], check=True, cwd=ROOT)


def refresh() -> None:
    subprocess.run(
        [PYTHON, str(BENCH / "seed.py"), "--refresh"], check=True, cwd=ROOT, capture_output=True
    )


def audit() -> str:
    done = subprocess.run(
        [str(SRV), "audit"], env=server_env(), cwd=ROOT, capture_output=True, text=True
    )
    return done.stdout.strip().splitlines()[-1] if done.stdout else done.stderr


def run_pass(args: argparse.Namespace) -> None:
    RESULTS.mkdir(exist_ok=True)
    out_path = RESULTS / f"{args.pass_name}.json"
    records: list[dict[str, object]] = []
    workdir = RESULTS / "requests"
    workdir.mkdir(exist_ok=True)
    plan = [(size, GET_ENDPOINTS + POST_ENDPOINTS) for size in args.sizes] + [
        (size, ("list", "get")) for size in args.list_sizes
    ]
    for size, endpoints in plan:
        print(f"== {size} orders: seeding", flush=True)
        seed(size)
        files = request_files(size, size, workdir)
        (RESULTS / f"explain-{size}.txt").write_text(explain(size))
        for workers in args.workers:
            for app in ("srochno", "floor"):
                refresh()
                with serve(app, workers, PORT) as server:
                    for warm in ("get", "list"):  # pools, caches, prepared statements
                        run_measured(
                            [
                                "wrk",
                                "-t1",
                                "-c32",
                                "-d3s",
                                "-s",
                                str(BENCH / "wrk" / "requests.lua"),
                                server.url,
                                "--",
                                str(files[warm]),
                            ]
                        )
                    for endpoint in endpoints:
                        result = measure(server, endpoint, files, size, args.duration)
                        record = {
                            "pass": args.pass_name,
                            "size": size,
                            "app": app,
                            "workers": workers,
                            "endpoint": endpoint,
                            **result,
                        }
                        records.append(record)
                        print(json.dumps(record, ensure_ascii=False), flush=True)
                        out_path.write_text(json.dumps(records, ensure_ascii=False, indent=1))
                    rss = server.rss_mb()
                    records.append(
                        {
                            "pass": args.pass_name,
                            "size": size,
                            "app": app,
                            "workers": workers,
                            "endpoint": "rss",
                            "rss_mb": rss,
                        }
                    )
                    print(f"   {app} x{workers}: worker RSS {rss} MB", flush=True)
        result = audit()
        records.append({"pass": args.pass_name, "size": size, "endpoint": "audit", "audit": result})
        print(f"   audit after {size}: {result}", flush=True)
        out_path.write_text(json.dumps(records, ensure_ascii=False, indent=1))


# --- report ------------------------------------------------------------------------------


def report(names: list[str]) -> str:
    records = [r for name in names for r in json.loads((RESULTS / f"{name}.json").read_text())]
    lines: list[str] = []
    runs = {
        (r["pass"], r["size"], r.get("app"), r.get("workers"), r["endpoint"]): r for r in records
    }
    sizes = sorted({int(r["size"]) for r in records})
    for name in names:
        lines.append(f"### {name}\n")
        lines.append(
            "| orders | endpoint | workers | Srochno req/s | p50 / p95 / p99 ms | floor req/s "
            "| p50 / p95 / p99 ms | ratio req/s | ratio CPU/req | Srochno CPU ms/req "
            "| floor CPU ms/req | machine busy |"
        )
        lines.append("|---:|---|---:|---:|---|---:|---|---:|---:|---:|---:|---:|")
        for size in sizes:
            for endpoint in GET_ENDPOINTS + POST_ENDPOINTS:
                for workers in (1, 2):
                    ours = runs.get((name, size, "srochno", workers, endpoint))
                    floor = runs.get((name, size, "floor", workers, endpoint))
                    if not ours or not floor:
                        continue
                    ratio = float(ours["rps"]) / float(floor["rps"])
                    cpu_ratio = float(floor["server_cpu_ms_per_request"]) / float(
                        ours["server_cpu_ms_per_request"]
                    )
                    lines.append(
                        f"| {size:,} | {endpoint} | {workers} | {ours['rps']} "
                        f"| {ours['p50_ms']} / {ours['p95_ms']} / {ours['p99_ms']} "
                        f"| {floor['rps']} | {floor['p50_ms']} / {floor['p95_ms']} / "
                        f"{floor['p99_ms']} | **{ratio:.2f}** | {cpu_ratio:.2f} "
                        f"| {ours['server_cpu_ms_per_request']} "
                        f"| {floor['server_cpu_ms_per_request']} "
                        f"| {ours['machine_busy']} / {floor['machine_busy']} |"
                    )
        lines.append("")
        lines.append("| orders | workers | Srochno worker RSS MB | floor worker RSS MB |")
        lines.append("|---:|---:|---|---|")
        for size in sizes:
            for workers in (1, 2):
                ours = runs.get((name, size, "srochno", workers, "rss"))
                floor = runs.get((name, size, "floor", workers, "rss"))
                if ours and floor:
                    lines.append(f"| {size:,} | {workers} | {ours['rss_mb']} | {floor['rss_mb']} |")
        lines.append("")
        statuses = [
            f"{r['size']} {r['app']} x{r['workers']} {r['endpoint']}: "
            f"{r.get('statuses') or r.get('non_2xx')} {r.get('targets', '')}"
            for r in records
            if r["pass"] == name and r["endpoint"] in GET_ENDPOINTS + POST_ENDPOINTS
        ]
        lines.append("<details><summary>status codes per run</summary>\n")
        lines.extend(f"    {s}" for s in statuses)
        lines.append("\n</details>\n")
        audits = [f"{r['size']}: {r['audit']}" for r in records if r["endpoint"] == "audit"]
        lines.append("Audit after each size: " + "; ".join(audits) + "\n")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pass-name", default="pass1")
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[10_000, 100_000]
    )
    parser.add_argument(
        "--list-sizes", type=lambda s: [int(x) for x in s.split(",") if x], default=[1_000_000]
    )
    parser.add_argument("--workers", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2])
    parser.add_argument("--duration", type=float, default=12.0, help="seconds per endpoint")
    parser.add_argument("--report", nargs="+", metavar="PASS", help="only print the tables")
    args = parser.parse_args()
    if args.report:
        print(report(args.report))
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    run_pass(args)


if __name__ == "__main__":
    main()
