"""The database goes away under a running server process while requests keep coming.

Two faults: every backend of the service terminated by an operator, then the network to
the database cut and restored. Throughout, each answer is the normal one or a clean, fast
503 ``database_unavailable``; the process recovers by itself, without a restart.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import text

from srochno.db import create_engine
from tests.faults.support import (
    UNAVAILABLE,
    assert_audit_clean,
    rows,
    server_logs_on_failure,
    threaded_proxy,
)
from tests.helpers import auth, create_order, recharge
from tests.servers import run_servers

OWNER = 8001
EXECUTORS = [8101, 8102, 8103]
READER = 8201
PAYER = 8301
ORDERS = 12
FUNDS = 1000
PRICE = 2

# A failed request must come back well within this (connecting gives up after 5 s): a
# bound against hangs, far above what a healthy answer takes.
FAILURE_BOUND_SECONDS = 10.0
RECOVERY_DEADLINE_SECONDS = 20.0
REQUEST_TIMEOUT_SECONDS = 30.0
PHASE_SECONDS = 1.0
CUT_SECONDS = 2.5
PAUSE_SECONDS = 0.01

TERMINATE = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
    "WHERE application_name = 'srochno' AND datname = current_database() "
    "AND pid <> pg_backend_pid()"
)

HEALTHY = (200, {"status": "healthy"})
UNHEALTHY = (503, {"status": "unhealthy"})


@dataclass
class Result:
    kind: str
    phase: str  # when the request was sent
    end_phase: str  # when its answer came
    seconds: float
    status: int | None  # None: no HTTP answer at all
    body: Any

    @property
    def unavailable(self) -> bool:
        if self.kind == "health":
            return (self.status, self.body) == UNHEALTHY
        return (self.status, self.body) == (503, UNAVAILABLE)


SUCCESS = {"orders": 200, "me": 200, "take": 200, "recharge": 200, "health": 200}


def succeeded(result: Result) -> bool:
    if result.kind == "health":
        return (result.status, result.body) == HEALTHY
    return result.status == SUCCESS[result.kind] and isinstance(result.body, dict)


class Flow:
    """Requests of every kind in a loop, each answer recorded with the phase it ran in."""

    def __init__(self, client: httpx.AsyncClient, orders: list[str]) -> None:
        self.client = client
        self.orders = orders
        self.phase = "before"
        self.results: list[Result] = []
        self._stop = asyncio.Event()
        self._takes = 0

    def _take_path(self) -> tuple[str, dict[str, str]]:
        # Three executors over all orders: never a full order, repeats are replays.
        index = self._takes
        self._takes += 1
        executor = EXECUTORS[index % len(EXECUTORS)]
        order = self.orders[(index // len(EXECUTORS)) % len(self.orders)]
        return f"/api/orders/{order}/take", auth(executor)

    async def send(self, kind: str) -> Result:
        phase = self.phase
        started = time.monotonic()
        status: int | None = None
        body: Any
        try:
            if kind == "orders":
                response = await self.client.get("/api/orders")
            elif kind == "me":
                response = await self.client.get("/api/users/me", headers=auth(READER))
            elif kind == "take":
                path, headers = self._take_path()
                response = await self.client.post(path, headers=headers)
            elif kind == "recharge":
                response = await self.client.post(
                    "/api/balance/recharge", json={"amount": 5}, headers=auth(PAYER)
                )
            else:
                response = await self.client.get("/health")
            status = response.status_code
            try:
                body = response.json()
            except ValueError:
                body = response.text[:300]
        except httpx.HTTPError as error:
            body = repr(error)
        result = Result(kind, phase, self.phase, time.monotonic() - started, status, body)
        self.results.append(result)
        return result

    async def _loop(self, kind: str) -> None:
        while not self._stop.is_set():
            await self.send(kind)
            await asyncio.sleep(PAUSE_SECONDS)

    async def run(self) -> None:
        kinds = ("orders", "me", "take", "take", "recharge", "health")
        await asyncio.gather(*(self._loop(kind) for kind in kinds))

    def stop(self) -> None:
        self._stop.set()


async def until(check: Callable[[], Awaitable[bool]], deadline_seconds: float) -> bool:
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if await check():
            return True
        await asyncio.sleep(0.1)
    return False


async def recovered(flow: Flow) -> bool:
    """Every kind of request succeeds again."""
    for kind in ("health", "orders", "me", "take", "recharge"):
        if not succeeded(await flow.send(kind)):
            return False
    return True


def describe(results: list[Result]) -> Counter[tuple[str, str, int | None, str]]:
    return Counter(
        (r.phase, r.kind, r.status, str(r.body)[:100]) for r in results if not succeeded(r)
    )


async def test_database_cut_and_backends_terminated_while_requests_flow(
    database_url, engine, tmp_path
):
    with (
        threaded_proxy(database_url) as proxy,
        run_servers(proxy.url, 1) as servers,
        server_logs_on_failure(servers),
    ):
        async with httpx.AsyncClient(
            base_url=servers.urls[0], timeout=REQUEST_TIMEOUT_SECONDS, trust_env=False
        ) as client:
            for executor in EXECUTORS:
                await recharge(client, executor, FUNDS)
            orders = [(await create_order(client, OWNER))["id"] for _ in range(ORDERS)]
            flow = Flow(client, orders)
            running = asyncio.create_task(flow.run())
            try:
                await asyncio.sleep(PHASE_SECONDS)

                flow.phase = "terminated"
                killer = create_engine(database_url, pool_size=1)
                try:
                    async with killer.connect() as connection:
                        terminated = (await connection.execute(TERMINATE)).scalars().all()
                finally:
                    await killer.dispose()
                await engine.dispose()  # the test's own connections were terminated too
                assert terminated, "the server had no open database connection"
                await asyncio.sleep(PHASE_SECONDS)
                assert await until(lambda: recovered(flow), RECOVERY_DEADLINE_SECONDS), describe(
                    flow.results
                )

                flow.phase = "cut"
                await asyncio.to_thread(proxy.cut)
                await asyncio.sleep(CUT_SECONDS)
                health = await client.get("/health")
                assert (health.status_code, health.json()) == UNHEALTHY

                flow.phase = "restored"
                await asyncio.to_thread(proxy.start)
                assert await until(lambda: recovered(flow), RECOVERY_DEADLINE_SECONDS), describe(
                    flow.results
                )

                flow.phase = "after"
                await asyncio.sleep(PHASE_SECONDS)
            finally:
                flow.stop()
                await running
        assert servers.servers[0].running(), servers.servers[0].log_tail()
        log = servers.servers[0].log_tail(200_000)

    results = flow.results
    # Every answer: the normal success, or exactly the 503 of an outage. Never a 500, a
    # trace, a dropped connection.
    wrong = [r for r in results if not (succeeded(r) or r.unavailable)]
    assert not wrong, describe(wrong)
    # Fast, also when failing: nothing waits for a database that does not answer.
    slow = [(r.kind, r.phase, round(r.seconds, 2)) for r in results if not succeeded(r)]
    assert all(seconds < FAILURE_BOUND_SECONDS for _, _, seconds in slow), slow
    # While cut, every kind of request noticed the outage, and /health said so.
    during_cut = {r.kind for r in results if r.phase == r.end_phase == "cut" and r.unavailable}
    assert during_cut == set(SUCCESS), describe(results)
    # Undisturbed phases: everything succeeded.
    calm = [r for r in results if r.phase == r.end_phase and r.phase in ("before", "after")]
    assert calm, "no request ran outside the faults"
    assert all(succeeded(r) for r in calm), describe(calm)
    assert "Traceback" not in log, log[-4000:]

    balances = dict(
        await rows(engine, "SELECT id, balance FROM users WHERE id = ANY(:ids)", ids=EXECUTORS)
    )
    taken = Counter(executor for (executor,) in await rows(engine, "SELECT executor_id FROM takes"))
    assert balances == {e: FUNDS - PRICE * taken[e] for e in EXECUTORS}
    assert_audit_clean(database_url, tmp_path)
