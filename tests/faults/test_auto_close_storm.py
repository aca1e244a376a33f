"""Four copies of the auto-close job (two ``srochno serve``, two ``srochno worker``) close
orders while clients create, take, respond and complete through two API processes.

The processes cannot share the test's clock, so this test runs on real time with rules
measured in seconds: an order lives 3 s and is closed 1.2 s after its first take when the
owner stays silent. It asserts outcomes only: each order closed once, each refund paid once.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import httpx

from tests.faults.support import (
    answer_code,
    assert_audit_clean,
    fund,
    rows,
    run_workers,
    server_logs_on_failure,
)
from tests.helpers import ORDER, auth, scalar
from tests.servers import run_servers

SEED = 1204
RULES = {
    "AUTO_CLOSE_INTERVAL_SECONDS": "0.2",
    "NO_RESPONSE_MINUTES": "0.02",  # 1.2 s
    "ORDER_LIFETIME_MINUTES": "0.05",  # 3 s
}
LIFETIME_SECONDS = 3.0
OWNERS = list(range(9001, 9011))
EXECUTORS = list(range(9101, 9131))
FUNDS = 40
PRICE = 2
STORM_SECONDS = 4.0
# On a loaded machine a request can outlast the 1.2 s an owner has to react, or the 3 s an
# order lives: the storm goes on (up to this long) until some owner's reaction was accepted
# and some silent owner's order was taken, so it never tests nothing.
STORM_MAX_SECONDS = 30.0
MAX_ORDERS = 100
MAX_TAKES = 500
CREATORS = 2
TAKERS = 6
PAUSE_SECONDS = 0.05
SETTLE_DEADLINE_SECONDS = 30.0
REQUEST_TIMEOUT_SECONDS = 30.0

# The owner's reaction to the first take that reaches them, by order number.
PLANS = ("respond", "complete", "ignore", "ignore")
ALLOWED = {
    "create": {(201, "ok")},
    "take": {
        (200, "charged"),
        (200, "replayed"),
        (402, "insufficient_balance"),
        (409, "order_full"),
        (409, "order_not_active"),
        (409, "order_expired"),
    },
    "respond": {(200, "ok"), (409, "order_not_active")},
    "complete": {(200, "ok"), (409, "order_not_active")},
}
DUE = """
    SELECT count(*) FROM orders
    WHERE status = 'active'
       OR (status = 'expired' AND responded_at IS NULL AND first_taken_at IS NOT NULL)
"""


@dataclass
class Storm:
    clients: list[httpx.AsyncClient]
    rng: random.Random
    deadline: float
    hard_deadline: float
    orders: list[tuple[str, int, str, float]] = field(default_factory=list)
    answers: list[tuple[str, str, int, str]] = field(default_factory=list)  # kind, order, …
    takes_sent: int = 0

    def going(self) -> bool:
        now = time.monotonic()
        if now < self.deadline:
            return True
        return now < self.hard_deadline and not (self.reacted() and self.ignored_taken())

    def ignored_taken(self) -> bool:
        """Whether an order whose owner stays silent was taken (one auto-close will close)."""
        silent = {order_id for order_id, _, plan, _ in self.orders if plan == "ignore"}
        return any(
            kind == "take" and (status, code) == (200, "charged") and order in silent
            for kind, order, status, code in self.answers
        )

    def reacted(self) -> set[str]:
        """The orders whose owner's reaction was accepted."""
        return {o for kind, o, status, _ in self.answers if kind != "take" and status == 200}

    def client(self) -> httpx.AsyncClient:
        return self.rng.choice(self.clients)

    def record(self, kind: str, order_id: str, response: httpx.Response) -> tuple[int, str]:
        answer = (response.status_code, answer_code(response))
        self.answers.append((kind, order_id, *answer))
        return answer

    async def create(self, worker: int) -> None:
        while self.going() and len(self.orders) < MAX_ORDERS:
            number = len(self.orders)
            owner = OWNERS[number % len(OWNERS)]
            response = await self.client().post("/api/orders", json=ORDER, headers=auth(owner))
            self.record("create", "", response)
            if response.status_code == 201:
                plan = PLANS[number % len(PLANS)]
                self.orders.append((response.json()["id"], owner, plan, time.monotonic()))
            await asyncio.sleep(PAUSE_SECONDS * 2)

    async def take(self, worker: int) -> None:
        reacted: set[str] = set()
        while self.going() and self.takes_sent < MAX_TAKES:
            recent = [o for o in self.orders if time.monotonic() - o[3] < LIFETIME_SECONDS]
            if not recent:
                await asyncio.sleep(PAUSE_SECONDS)
                continue
            order_id, owner, plan, _ = self.rng.choice(recent)
            executor = self.rng.choice(EXECUTORS)
            self.takes_sent += 1
            response = await self.client().post(
                f"/api/orders/{order_id}/take", headers=auth(executor)
            )
            answer = self.record("take", order_id, response)
            if answer == (200, "charged") and plan != "ignore" and order_id not in reacted:
                reacted.add(order_id)
                if plan == "respond":
                    response = await self.client().post(
                        f"/api/orders/{order_id}/respond", headers=auth(owner)
                    )
                else:
                    response = await self.client().post(
                        f"/api/orders/{order_id}/complete",
                        json={"executor_id": executor},
                        headers=auth(owner),
                    )
                self.record(plan, order_id, response)
            await asyncio.sleep(PAUSE_SECONDS)

    async def run(self) -> None:
        await asyncio.gather(
            *(self.create(i) for i in range(CREATORS)), *(self.take(i) for i in range(TAKERS))
        )


async def still_due(engine) -> int:
    """Orders the job has yet to close, once it had until the deadline to close them."""
    deadline = time.monotonic() + SETTLE_DEADLINE_SECONDS
    due: int = await scalar(engine, DUE)
    while due and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        due = await scalar(engine, DUE)
    return due


def logged_failures(text: str) -> list[str]:
    return [
        line[:300]
        for line in text.splitlines()
        if "auto-close failed" in line or "Traceback" in line or "unhandled error" in line
    ]


async def test_four_auto_close_copies_during_a_storm(database_url, engine, tmp_path):
    rng = random.Random(SEED)
    with (
        run_servers(database_url, 2, env=RULES) as servers,
        server_logs_on_failure(servers),
        run_workers(database_url, 2, tmp_path, RULES) as workers,
    ):
        clients = [
            httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS, trust_env=False)
            for url in servers.urls
        ]
        try:
            await fund(clients, EXECUTORS, FUNDS)
            start = time.monotonic()
            storm = Storm(clients, rng, start + STORM_SECONDS, start + STORM_MAX_SECONDS)
            await storm.run()
        finally:
            for client in clients:
                await client.aclose()

        assert await still_due(engine) == 0, "orders still due after the deadline"
        for worker in workers:
            assert worker.process.poll() is None, worker.log()[-4000:]
        for server in servers.servers:
            assert server.running(), server.log_tail()
        logs = [worker.log() for worker in workers] + [
            server.log_tail(1_000_000) for server in servers.servers
        ]

    for text in logs:
        assert not logged_failures(text), logged_failures(text)

    # Every answer is one a client may get in such a storm; never a 500.
    wrong = Counter(
        (kind, status, code)
        for kind, _, status, code in storm.answers
        if (status, code) not in ALLOWED[kind]
    )
    assert not wrong, wrong
    reacted = storm.reacted()
    assert reacted, "no owner reacted: the storm tested no answered order"

    orders = {
        order_id: (status, responded)
        for order_id, status, responded in await rows(
            engine, "SELECT id, status, responded_at IS NOT NULL FROM orders"
        )
    }
    takes = await rows(
        engine, "SELECT id, order_id, executor_id, price_paid, refunded_at IS NOT NULL FROM takes"
    )
    refunds: defaultdict[int, list[int]] = defaultdict(list)
    for take_id, amount in await rows(
        engine, "SELECT take_id, amount FROM ledger_entries WHERE type = 'refund'"
    ):
        refunds[take_id].append(int(amount))

    taken_orders = {order_id for _, order_id, _, _, _ in takes}
    closed = {o for o, (status, _) in orders.items() if status == "closed_no_response"}
    assert closed, "no order was closed for no response"
    for order_id, (status, responded) in orders.items():
        assert status != "active", order_id
        if order_id in taken_orders and not responded:
            assert status == "closed_no_response", (order_id, status)
        if status == "closed_no_response":
            assert not responded, order_id
            assert order_id in taken_orders, order_id
    for order_id in reacted:  # the owner was told it worked: no refund, not closed
        assert orders[order_id][0] != "closed_no_response", order_id
    completed = {o for kind, o, status, _ in storm.answers if kind == "complete" and status == 200}
    assert {o for o in completed if orders[o][0] != "completed"} == set()

    # Each take of a closed order refunded exactly once, for its price; no other refund.
    expected_balance = dict.fromkeys(EXECUTORS, FUNDS)
    for take_id, order_id, executor, price, refunded in takes:
        if order_id in closed:
            assert refunded, take_id
            assert refunds.get(take_id) == [price], (take_id, refunds.get(take_id))
        else:
            assert not refunded, take_id
            assert take_id not in refunds, (take_id, orders[order_id])
            expected_balance[executor] -= price
    assert sum(len(r) for r in refunds.values()) == sum(1 for t in takes if t[1] in closed)
    balances = dict(
        await rows(engine, "SELECT id, balance FROM users WHERE id = ANY(:ids)", ids=EXECUTORS)
    )
    assert balances == expected_balance

    assert_audit_clean(database_url, tmp_path)
