"""The same races with the requests dealt alternately to two ``srochno serve`` processes:
the locks and constraints live in PostgreSQL, so two processes behave exactly like one."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import httpx

from tests.concurrency.test_take_races import (
    PRICE,
    balances_of,
    codes,
    fund,
    race_many_executors_one_order,
    race_one_balance_many_orders,
    race_one_key_two_orders,
    race_same_take_repeated,
    rows,
    send_together,
    storm,
    take_request,
)
from tests.helpers import audit_clean, create_order

STORM_SEED = 1127
STORM_TAKES = 200
KILL_AFTER_ANSWERS = 10


async def test_two_healthy_server_processes(servers, server_clients):
    assert len({server.process.pid for server in servers.servers}) == 2
    for client in server_clients:
        response = await client.get("/health")
        assert response.json() == {"status": "healthy"}


async def test_forty_executors_race_for_one_order(server_clients, engine):
    await race_many_executors_one_order(server_clients, engine)


async def test_balance_for_one_take_races_for_ten_orders(server_clients, engine):
    await race_one_balance_many_orders(server_clients, engine)


async def test_same_executor_takes_one_order_twenty_times_at_once(server_clients, engine):
    await race_same_take_repeated(server_clients, engine)


async def test_one_idempotency_key_for_two_orders_at_once(server_clients, engine):
    await race_one_key_two_orders(server_clients, engine)


async def test_random_storm_over_two_servers(server_clients, engine):
    await storm(server_clients, engine, seed=STORM_SEED, takes=STORM_TAKES)


async def test_server_killed_in_the_middle_of_takes(servers, server_clients, engine):
    """One server is SIGKILLed while takes are in flight; the executors retry with their
    ``Idempotency-Key`` once it is back. A take cut off after its commit is answered as a
    replay, one cut off before it is made anew: one charge per take, a clean ledger."""
    rng = random.Random(STORM_SEED)
    executors = list(range(6001, 6041))
    await fund(server_clients, dict.fromkeys(executors, 6))
    orders = [(await create_order(server_clients[0], 1500 + i))["id"] for i in range(30)]
    pairs = sorted({(rng.choice(executors), rng.choice(orders)) for _ in range(120)})

    def request_for(
        clients: list[httpx.AsyncClient], i: int, pair: tuple[int, str]
    ) -> tuple[int, httpx.Request]:
        user_id, order_id = pair
        key = f"take-{user_id}-{order_id}"
        return i % 2, take_request(clients[i % 2], order_id, user_id, key)

    answered = 0
    some_answered = asyncio.Event()

    async def send(index: int, request: httpx.Request) -> httpx.Response:
        nonlocal answered
        try:
            return await server_clients[index].send(request)
        finally:
            answered += 1
            if answered == KILL_AFTER_ANSWERS:
                some_answered.set()

    async def kill_in_flight() -> None:
        await some_answered.wait()
        await asyncio.to_thread(servers.kill, 1)

    requests = [request_for(server_clients, i, pair) for i, pair in enumerate(pairs)]
    killer = asyncio.create_task(kill_in_flight())
    first = await asyncio.gather(
        *(send(index, request) for index, request in requests), return_exceptions=True
    )
    await killer
    for answer in first:
        assert isinstance(answer, httpx.TransportError | httpx.Response), repr(answer)
    lost = [p for p, answer in zip(pairs, first, strict=True) if isinstance(answer, Exception)]

    # Back on the same port; new clients, as the old ones may hold sockets of the dead one.
    await asyncio.to_thread(servers.restart, 1)
    clients = servers.clients()
    try:
        retries = [request_for(clients, i, pair) for i, pair in enumerate(lost)]
        retried = await send_together(clients, retries) if retries else []
    finally:
        for client in clients:
            await client.aclose()

    final = dict(zip(pairs, first, strict=True)) | dict(zip(lost, retried, strict=True))
    answers = codes(list(final.values()))
    assert set(answers) <= {
        (200, "charged"),
        (200, "replayed"),
        (402, "insufficient_balance"),
        (409, "order_full"),
    }, answers
    taken = {pair for pair, r in final.items() if r.status_code == 200}
    takes = await rows(engine, "SELECT executor_id, order_id FROM takes")
    assert sorted(takes) == sorted(taken)
    per_user = Counter(user_id for user_id, _ in taken)
    assert await balances_of(engine, executors) == {u: 6 - PRICE * per_user[u] for u in executors}
    await audit_clean(engine)
