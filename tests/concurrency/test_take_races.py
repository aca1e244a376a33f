"""Takes racing each other on real PostgreSQL connections, then the ledger audited in SQL.

Each race is a function of the clients the requests are spread over, so the same races run
here in one process and in ``test_multiprocess.py`` over two server processes.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import subprocess
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests import prefork
from tests.helpers import ORDER, audit_clean, auth, create_order, recharge, scalar
from tests.servers import server_env

PRICE = 2
CAP = 3
FULL_MESSAGE = f"Maximum {CAP} executors reached"
POOR_MESSAGE = f"Insufficient balance. Need {PRICE}₽"

Clients = Sequence[httpx.AsyncClient]


# --- building blocks ------------------------------------------------------------------


def take_request(
    client: httpx.AsyncClient, order_id: str, user_id: int, key: str | None = None
) -> httpx.Request:
    headers = auth(user_id)
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.build_request("POST", f"/api/orders/{order_id}/take", headers=headers)


async def send_together(
    clients: Clients, requests: Sequence[tuple[int, httpx.Request]]
) -> list[httpx.Response]:
    """Send every request at the same moment (``(client index, request)`` pairs, built and
    signed beforehand); the answers come back in the order of ``requests``."""
    barrier = asyncio.Barrier(len(requests))

    async def send(index: int, request: httpx.Request) -> httpx.Response:
        await barrier.wait()
        return await clients[index].send(request)

    return list(await asyncio.gather(*(send(index, request) for index, request in requests)))


async def fund(clients: Clients, balances: dict[int, int]) -> None:
    """Create the users and give them money, spread over the clients, concurrently."""
    await asyncio.gather(
        *(
            recharge(clients[i % len(clients)], user_id, amount)
            for i, (user_id, amount) in enumerate(balances.items())
        )
    )


def codes(responses: Sequence[httpx.Response]) -> Counter[tuple[int, str]]:
    """``(status, code)`` of every answer; ``code`` is ``replayed``/``charged`` for a 200."""
    counter: Counter[tuple[int, str]] = Counter()
    for response in responses:
        try:
            body = response.json()
        except ValueError:
            body = {"code": f"not json: {response.text[:80]}"}
        if response.status_code == 200:
            counter[(200, "replayed" if body["replayed"] else "charged")] += 1
        else:
            counter[(response.status_code, body.get("code", "?"))] += 1
    return counter


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]


async def balances_of(engine: AsyncEngine, user_ids: Sequence[int]) -> dict[int, int]:
    found = await rows(
        engine, "SELECT id, balance FROM users WHERE id = ANY(:ids)", ids=list(user_ids)
    )
    return {int(user_id): int(balance) for user_id, balance in found}


# --- the races --------------------------------------------------------------------------


async def race_many_executors_one_order(clients: Clients, engine: AsyncEngine) -> None:
    """40 executors with money, one order, all at once: 3 are charged, 37 hear it is full."""
    owner, executors = 1000, list(range(2001, 2041))
    await fund(clients, dict.fromkeys(executors, 10))
    order = await create_order(clients[0], owner)

    requests = [
        (i % len(clients), take_request(clients[i % len(clients)], order["id"], user_id))
        for i, user_id in enumerate(executors)
    ]
    responses = await send_together(clients, requests)

    assert codes(responses) == {(200, "charged"): CAP, (409, "order_full"): 40 - CAP}, [
        r.text for r in responses if r.status_code not in (200, 409)
    ]
    winners = {u for u, r in zip(executors, responses, strict=True) if r.status_code == 200}
    for user_id, response in zip(executors, responses, strict=True):
        body = response.json()
        if user_id in winners:
            assert body["balance"] == 10 - PRICE
            assert body["take"]["price_paid"] == PRICE
            assert body["order"]["contact"] == ORDER["contact"]
            assert body["order"]["taken_by_me"] is True
            assert 1 <= body["order"]["executors_count"] <= CAP
        else:
            assert body["detail"] == FULL_MESSAGE

    assert (
        await scalar(engine, "SELECT executors_count FROM orders WHERE id = :id", id=order["id"])
        == CAP
    )
    takers = await rows(
        engine, "SELECT executor_id FROM takes WHERE order_id = :id", id=order["id"]
    )
    assert {user_id for (user_id,) in takers} == winners
    charged = await rows(
        engine,
        "SELECT user_id, amount FROM ledger_entries WHERE type = 'order_take' AND order_id = :id",
        id=order["id"],
    )
    assert sorted(charged) == sorted((user_id, -PRICE) for user_id in winners)
    balances = await balances_of(engine, executors)
    assert balances == {u: 10 - PRICE if u in winners else 10 for u in executors}
    await audit_clean(engine)


async def race_one_balance_many_orders(clients: Clients, engine: AsyncEngine) -> None:
    """Money for one take, ten orders at once: one take, nine refusals, balance 0."""
    executor, owners = 3000, list(range(1101, 1111))
    await fund(clients, {executor: PRICE})
    orders = [
        await create_order(clients[i % len(clients)], owner) for i, owner in enumerate(owners)
    ]

    requests = [
        (i % len(clients), take_request(clients[i % len(clients)], order["id"], executor))
        for i, order in enumerate(orders)
    ]
    responses = await send_together(clients, requests)

    assert codes(responses) == {(200, "charged"): 1, (402, "insufficient_balance"): 9}, [
        r.text for r in responses if r.status_code not in (200, 402)
    ]
    won = next(o["id"] for o, r in zip(orders, responses, strict=True) if r.status_code == 200)
    for response in responses:
        if response.status_code == 402:
            assert response.json()["detail"] == POOR_MESSAGE
        else:
            assert response.json()["balance"] == 0

    assert await balances_of(engine, [executor]) == {executor: 0}
    ledger = await rows(
        engine,
        "SELECT type, amount, balance_after, order_id FROM ledger_entries "
        "WHERE user_id = :id ORDER BY id",
        id=executor,
    )
    assert ledger == [("recharge", PRICE, PRICE, None), ("order_take", -PRICE, 0, won)]
    counts = dict(await rows(engine, "SELECT id, executors_count FROM orders"))
    assert counts == {o["id"]: 1 if o["id"] == won else 0 for o in orders}
    assert (
        await scalar(engine, "SELECT count(*) FROM takes WHERE executor_id = :id", id=executor) == 1
    )
    await audit_clean(engine)


async def race_same_take_repeated(clients: Clients, engine: AsyncEngine) -> None:
    """One executor sends the same take 20 times at once (half of them with one
    ``Idempotency-Key``): one charge, 19 replays of the same take."""
    owner, executor = 1200, 4000
    await fund(clients, {executor: 10})
    order = await create_order(clients[0], owner)

    requests = [
        (
            i % len(clients),
            take_request(
                clients[i % len(clients)], order["id"], executor, "retry-1" if i % 2 else None
            ),
        )
        for i in range(20)
    ]
    responses = await send_together(clients, requests)

    assert codes(responses) == {(200, "charged"): 1, (200, "replayed"): 19}, [
        r.text for r in responses if r.status_code != 200
    ]
    bodies = [r.json() for r in responses]
    assert {b["take"]["taken_at"] for b in bodies} == {bodies[0]["take"]["taken_at"]}
    assert {b["balance"] for b in bodies} == {10 - PRICE}
    assert {b["order"]["executors_count"] for b in bodies} == {1}

    assert await balances_of(engine, [executor]) == {executor: 10 - PRICE}
    assert await rows(engine, "SELECT executor_id, order_id FROM takes") == [
        (executor, order["id"])
    ]
    assert await rows(engine, "SELECT amount FROM ledger_entries WHERE type = 'order_take'") == [
        (-PRICE,)
    ]
    await audit_clean(engine)


async def race_one_key_two_orders(clients: Clients, engine: AsyncEngine) -> None:
    """One ``Idempotency-Key`` sent for two different orders at once (10 requests each):
    one order is taken once, every request for the other is an ``idempotency_key_conflict``."""
    executor = 4100
    await fund(clients, {executor: 10})
    first = await create_order(clients[0], 1301)
    second = await create_order(clients[-1], 1302)

    targets = [first["id"], second["id"]] * 10
    requests = [
        (i % len(clients), take_request(clients[i % len(clients)], order_id, executor, "k-1"))
        for i, order_id in enumerate(targets)
    ]
    responses = await send_together(clients, requests)

    by_order: dict[str, Counter[tuple[int, str]]] = defaultdict(Counter)
    for order_id, response in zip(targets, responses, strict=True):
        by_order[order_id] += codes([response])
    taken = [o for o, c in by_order.items() if c[(200, "charged")]]
    assert len(taken) == 1, dict(by_order)
    other = ({first["id"], second["id"]} - set(taken)).pop()
    assert by_order[taken[0]] == {(200, "charged"): 1, (200, "replayed"): 9}
    assert by_order[other] == {(409, "idempotency_key_conflict"): 10}

    assert await rows(engine, "SELECT order_id, idempotency_key FROM takes") == [(taken[0], "k-1")]
    assert await balances_of(engine, [executor]) == {executor: 10 - PRICE}
    await audit_clean(engine)


# --- in one process ---------------------------------------------------------------------


async def test_forty_executors_race_for_one_order(race_client, race_engine):
    await race_many_executors_one_order([race_client], race_engine)


async def test_balance_for_one_take_races_for_ten_orders(race_client, race_engine):
    await race_one_balance_many_orders([race_client], race_engine)


async def test_same_executor_takes_one_order_twenty_times_at_once(race_client, race_engine):
    await race_same_take_repeated([race_client], race_engine)


async def test_one_idempotency_key_for_two_orders_at_once(race_client, race_engine):
    await race_one_key_two_orders([race_client], race_engine)


async def test_burst_of_first_time_executors_with_the_default_pool(client, engine, settings):
    """More first-time users at once than the default pool has connections: each is
    created and answered (402, no money yet); none waits for a connection it cannot get."""
    newcomers = list(range(5001, 5001 + 2 * settings.db_pool_size + 10))
    order = await create_order(client, 1400)

    requests = [(0, take_request(client, order["id"], user_id)) for user_id in newcomers]
    responses = await send_together([client], requests)

    assert codes(responses) == {(402, "insufficient_balance"): len(newcomers)}
    assert await balances_of(engine, newcomers) == dict.fromkeys(newcomers, 0)
    await audit_clean(engine)


# --- the storm --------------------------------------------------------------------------

STORM_SEED = 20261127
STORM_USERS = 60
STORM_OWNERS = 4
STORM_ORDERS = 50
STORM_TAKES = 600
STORM_MAX_CHUNK = 40  # at most one connection per request of a burst
STORM_ANSWERS = {
    (200, "charged"),
    (200, "replayed"),
    (402, "insufficient_balance"),
    (403, "own_order"),
    (409, "order_full"),
    (409, "idempotency_key_conflict"),
}


@dataclass(frozen=True)
class Attempt:
    user_id: int
    order_id: str
    key: str | None


def plan_storm(
    rng: random.Random, users: list[int], orders: dict[str, int], takes: int
) -> list[list[Attempt]]:
    """Takes in random order and random bursts: random pairs (so many repeat), some with a
    per-take ``Idempotency-Key``, a few with one key per user (which conflicts across
    orders), and some sent twice in the same burst."""
    order_ids = list(orders)
    attempts: list[Attempt] = []
    while len(attempts) < takes:
        user_id, order_id = rng.choice(users), rng.choice(order_ids)
        roll = rng.random()
        if roll < 0.25:
            key: str | None = f"take-{user_id}-{order_id}"
        elif roll < 0.35:
            key = f"user-{user_id}"
        else:
            key = None
        attempts.append(Attempt(user_id, order_id, key))
        if rng.random() < 0.1:
            attempts.append(Attempt(user_id, order_id, key))
    attempts = attempts[:takes]
    chunks: list[list[Attempt]] = []
    while attempts:
        size = rng.randint(1, STORM_MAX_CHUNK)
        chunk, attempts = attempts[:size], attempts[size:]
        rng.shuffle(chunk)
        chunks.append(chunk)
    return chunks


@dataclass(frozen=True)
class StormOutcome:
    users: list[int]
    balances: dict[int, int]
    answers: Counter[tuple[int, str]]


async def storm(
    clients: Clients, engine: AsyncEngine, *, seed: int = STORM_SEED, takes: int = STORM_TAKES
) -> StormOutcome:
    """Users with random money take random orders in random bursts, the requests dealt
    round-robin over ``clients``; then every answer is checked against the final state."""
    rng = random.Random(seed)
    users = list(range(10_001, 10_001 + STORM_USERS))
    owners = users[:STORM_OWNERS]
    funded = {user_id: rng.randint(0, 10) for user_id in users}
    turn = itertools.count()

    def deal() -> int:
        return next(turn) % len(clients)

    # Money: some recharges are sent twice at once with one Idempotency-Key (credited once);
    # users without money are created by their first take, inside the storm.
    recharges: list[tuple[int, httpx.Request]] = []
    for user_id, amount in funded.items():
        if amount == 0:
            continue
        for _ in range(2 if rng.random() < 0.3 else 1):
            index = deal()
            request = clients[index].build_request(
                "POST",
                "/api/balance/recharge",
                json={"amount": amount},
                headers={**auth(user_id), "Idempotency-Key": f"recharge-{user_id}"},
            )
            recharges.append((index, request))
    credited: dict[int, list[dict[str, Any]]] = defaultdict(list)
    answers: list[httpx.Response] = []
    for start in range(0, len(recharges), STORM_MAX_CHUNK):
        answers += await send_together(clients, recharges[start : start + STORM_MAX_CHUNK])
    for (_, request), response in zip(recharges, answers, strict=True):
        assert response.status_code == 200, response.text
        user_id = int(request.headers["Idempotency-Key"].removeprefix("recharge-"))
        credited[user_id].append(response.json())
    for user_id, bodies in credited.items():
        assert [b["balance"] for b in bodies] == [funded[user_id]] * len(bodies)
        assert len({b["transaction"]["id"] for b in bodies}) == 1

    orders: dict[str, int] = {}
    for _ in range(STORM_ORDERS):
        owner = rng.choice(owners)
        orders[(await create_order(clients[deal()], owner))["id"]] = owner

    results: list[tuple[Attempt, httpx.Response]] = []
    for chunk in plan_storm(rng, users, orders, takes):
        requests = []
        for a in chunk:
            index = deal()
            requests.append((index, take_request(clients[index], a.order_id, a.user_id, a.key)))
        results += zip(chunk, await send_together(clients, requests), strict=True)

    # Every answer is an expected one, and the storm reached every usual outcome.
    summary = codes([response for _, response in results])
    assert set(summary) <= STORM_ANSWERS, [r.text for _, r in results if r.status_code >= 500]
    assert set(summary) >= STORM_ANSWERS - {(409, "idempotency_key_conflict")}, summary

    # Each (executor, order) is charged at most once; replays repeat that very take.
    answers_by_pair: dict[tuple[int, str], list[dict[str, Any]]] = defaultdict(list)
    for attempt, response in results:
        if response.status_code == 200:
            answers_by_pair[(attempt.user_id, attempt.order_id)].append(response.json())
    for pair, bodies in answers_by_pair.items():
        assert sum(not b["replayed"] for b in bodies) == 1, (pair, bodies)
        assert len({b["take"]["taken_at"] for b in bodies}) == 1, (pair, bodies)
        assert all(b["take"]["price_paid"] == PRICE for b in bodies)
        assert all(b["order"]["contact"] == ORDER["contact"] for b in bodies)
    charged_pairs = set(answers_by_pair)

    takes = await rows(engine, "SELECT executor_id, order_id, taken_at FROM takes")
    assert len(takes) == len(charged_pairs)
    assert {(u, o) for u, o, _ in takes} == charged_pairs
    per_order = Counter(o for _, o, _ in takes)
    assert max(per_order.values()) <= CAP
    assert dict(await rows(engine, "SELECT id, executors_count FROM orders")) == {
        o: per_order.get(o, 0) for o in orders
    }
    for user_id, order_id, taken_at in takes:
        answered = answers_by_pair[(user_id, order_id)][0]["take"]["taken_at"]
        assert datetime.fromisoformat(answered) == taken_at, (answered, taken_at)

    # Balances, computed from the answers alone, match the database and every answer: the
    # charged answers of a user show each step of the way down exactly once.
    takes_of = Counter(u for u, _ in charged_pairs)
    expected = {u: funded[u] - PRICE * takes_of[u] for u in users}
    assert await balances_of(engine, users) == expected
    for user_id in users:
        steps = [funded[user_id] - PRICE * k for k in range(1, takes_of[user_id] + 1)]
        mine = [b for (u, _), bodies in answers_by_pair.items() if u == user_id for b in bodies]
        assert sorted(b["balance"] for b in mine if not b["replayed"]) == sorted(steps)
        assert all(b["balance"] in steps for b in mine)
    ledger = await rows(
        engine,
        "SELECT user_id, type, count(*), sum(amount) FROM ledger_entries GROUP BY 1, 2",
    )
    assert sorted(ledger) == sorted(
        [(u, "recharge", 1, a) for u, a in funded.items() if a]
        + [(u, "order_take", n, -PRICE * n) for u, n in takes_of.items()]
    )

    # Every refusal is true of the final state (balances and take counts only go one way
    # during the storm).
    keys = {
        (u, key): o
        for u, key, o in await rows(
            engine,
            "SELECT executor_id, idempotency_key, order_id FROM takes "
            "WHERE idempotency_key IS NOT NULL",
        )
    }
    for attempt, response in results:
        code = response.json().get("code")
        if code == "insufficient_balance":
            assert expected[attempt.user_id] < PRICE, attempt
            assert response.json()["detail"] == POOR_MESSAGE
        elif code == "order_full":
            assert per_order[attempt.order_id] == CAP, attempt
            assert response.json()["detail"] == FULL_MESSAGE
        elif code == "own_order":
            assert orders[attempt.order_id] == attempt.user_id, attempt
        elif code == "idempotency_key_conflict":
            assert keys.get((attempt.user_id, attempt.key)) not in (None, attempt.order_id)
        else:
            assert response.status_code == 200, (attempt, response.text)

    await audit_clean(engine)
    return StormOutcome(users=users, balances=expected, answers=summary)


async def run_cli_audit(database_url: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``srochno audit`` as an operator runs it, on the test database."""
    return await asyncio.to_thread(
        prefork.run,
        ["audit"],
        cwd=workdir,
        env=server_env(database_url, {}, workdir / "data"),
        timeout=180,  # a start-up included: only a hung audit should reach it
    )


async def test_random_storm_of_takes(race_client, race_engine, database_url, tmp_path):
    outcome = await storm([race_client], race_engine)

    # The command an operator runs agrees, and notices a balance changed behind its back.
    clean = await run_cli_audit(database_url, tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "audit: clean" in clean.stdout
    assert "FAIL" not in clean.stdout

    victim = max(outcome.users, key=lambda u: outcome.balances[u])
    async with race_engine.begin() as connection:
        await connection.execute(
            text("UPDATE users SET balance = balance + 1 WHERE id = :id"), {"id": victim}
        )
    dirty = await run_cli_audit(database_url, tmp_path)
    assert dirty.returncode == 1, dirty.stdout + dirty.stderr
    assert "[FAIL] balance == sum of the user's ledger rows" in dirty.stdout
    assert f'"id": {victim}' in dirty.stdout
    assert dirty.stdout.count("[FAIL]") == 1
    assert "audit: 1 check(s) failed" in dirty.stdout
