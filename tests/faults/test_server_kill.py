"""A server process is SIGKILLed in the middle of a take storm and started again.

Requests cut off by the crash have an unknown outcome for the client: each of them must
have happened completely (take row, its ledger row, the debit) or not at all.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from tests.faults.support import (
    answer_code,
    assert_audit_clean,
    fund,
    rows,
    server_logs_on_failure,
)
from tests.helpers import audit_clean, auth, create_order
from tests.servers import run_servers

SEED = 20261127
EXECUTORS = list(range(7001, 7041))
OWNERS = list(range(7501, 7516))
FUNDS = 6  # three takes each
PRICE = 2
CAP = 3
TAKES = 300
CONCURRENCY = 20
KILL_AFTER = 40  # answers of the first phase before server 0 is killed
PHASES = (0, 120, 200, TAKES)  # both up (kill inside) | server 0 dead | restarted
REQUEST_TIMEOUT_SECONDS = 30.0
ALLOWED = {
    (200, "charged"),
    (200, "replayed"),
    (402, "insufficient_balance"),
    (409, "order_full"),
}


@dataclass
class Attempt:
    server: int
    executor: int
    order: str
    answer: httpx.Response | httpx.TransportError | None = None

    @property
    def pair(self) -> tuple[int, str]:
        return self.executor, self.order


def clients_for(urls: Sequence[str]) -> list[httpx.AsyncClient]:
    return [
        httpx.AsyncClient(base_url=url, timeout=REQUEST_TIMEOUT_SECONDS, trust_env=False)
        for url in urls
    ]


async def send_all(
    clients: Sequence[httpx.AsyncClient],
    attempts: Sequence[Attempt],
    answered: asyncio.Event | None = None,
    answered_after: int = 0,
) -> None:
    """Send the takes with ``CONCURRENCY`` in flight; ``answered`` is set once
    ``answered_after`` of them have an answer."""
    queue = list(reversed(attempts))
    done = 0

    async def worker() -> None:
        nonlocal done
        while queue:
            attempt = queue.pop()
            client = clients[attempt.server]
            try:
                attempt.answer = await client.post(
                    f"/api/orders/{attempt.order}/take", headers=auth(attempt.executor)
                )
            except httpx.TransportError as error:
                attempt.answer = error
            done += 1
            if answered is not None and done >= answered_after:
                answered.set()

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def test_sigkill_of_one_server_in_a_take_storm(database_url, engine, tmp_path):
    rng = random.Random(SEED)
    with run_servers(database_url, 2) as servers, server_logs_on_failure(servers):
        clients = clients_for(servers.urls)
        try:
            await fund(clients, EXECUTORS, FUNDS)
            orders = [(await create_order(clients[1], owner))["id"] for owner in OWNERS]
            attempts = [
                Attempt(i % 2, rng.choice(EXECUTORS), rng.choice(orders)) for i in range(TAKES)
            ]
            first, dead, last = (
                attempts[PHASES[i] : PHASES[i + 1]] for i in range(len(PHASES) - 1)
            )

            answered = asyncio.Event()

            async def kill_mid_flight() -> None:
                await answered.wait()
                await asyncio.to_thread(servers.kill, 0)

            killer = asyncio.create_task(kill_mid_flight())
            await send_all(clients, first, answered, KILL_AFTER)
            await killer
            await send_all(clients, dead)
        finally:
            for client in clients:
                await client.aclose()

        await asyncio.to_thread(servers.restart, 0)
        clients = clients_for(servers.urls)  # connections to the killed process are gone
        try:
            await send_all(clients, last)
        finally:
            for client in clients:
                await client.aclose()

    for attempt in attempts:
        assert attempt.answer is not None
    answers = [a for a in attempts if isinstance(a.answer, httpx.Response)]
    unknown = [a for a in attempts if isinstance(a.answer, httpx.TransportError)]

    # Only requests to the killed server, while it was down, went unanswered.
    assert unknown, "the kill cut nothing off"
    assert all(a.server == 0 for a in unknown)
    assert all(isinstance(a.answer, httpx.Response) for a in last), "restarted server is down"
    assert all(isinstance(a.answer, httpx.Response) for a in dead if a.server == 1)

    def code(a: Attempt) -> tuple[int, str]:
        assert isinstance(a.answer, httpx.Response)
        return a.answer.status_code, answer_code(a.answer)

    found = Counter(code(a) for a in answers)
    assert set(found) <= ALLOWED, found
    assert found[(200, "charged")] > 0

    takes = {
        (int(executor), str(order)): int(take_id)
        for take_id, executor, order in await rows(
            engine, "SELECT id, executor_id, order_id FROM takes"
        )
    }
    charges: defaultdict[int, list[int]] = defaultdict(list)
    for take_id, amount in await rows(
        engine, "SELECT take_id, amount FROM ledger_entries WHERE type = 'order_take'"
    ):
        charges[take_id].append(int(amount))

    # Every 200 is a take, charged exactly once; a pair is charged (not replayed) once.
    succeeded = {a.pair for a in answers if a.answer.status_code == 200}
    assert succeeded <= set(takes), succeeded - set(takes)
    charged = Counter(a.pair for a in answers if code(a) == (200, "charged"))
    assert max(charged.values()) == 1, charged.most_common(3)
    for take_id in takes.values():
        assert charges.get(take_id) == [-PRICE], (take_id, charges.get(take_id))
    assert set(charges) <= set(takes.values()), "a charge without its take"

    # A take exists only where the client got a 200 or does not know what happened.
    assert set(takes) <= succeeded | {a.pair for a in unknown}

    # Each unknown outcome happened entirely or not at all: take ⇔ charge ⇔ debit.
    per_executor = Counter(executor for executor, _ in takes)
    balances = dict(
        await rows(engine, "SELECT id, balance FROM users WHERE id = ANY(:ids)", ids=EXECUTORS)
    )
    assert balances == {e: FUNDS - PRICE * per_executor[e] for e in EXECUTORS}
    for attempt in unknown:
        take_id = takes.get(attempt.pair)
        if take_id is not None:
            assert charges[take_id] == [-PRICE]

    per_order = Counter(order for _, order in takes)
    assert max(per_order.values()) <= CAP, per_order.most_common(3)
    counts = dict(await rows(engine, "SELECT id, executors_count FROM orders"))
    assert counts == {order: per_order[order] for order in orders}

    await audit_clean(engine)
    assert_audit_clean(database_url, tmp_path)
