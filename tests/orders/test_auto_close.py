"""The auto-close job under concurrency: several copies at once, and the job racing the
requests of users; each order closed once, each refund paid once, the ledger clean."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno import clock
from srochno.db import Database
from srochno.orders.auto_close import CloseReport, close_due_orders
from tests.helpers import audit_clean, auth, create_order, recharge, scalar, take

OWNER = 1
EXECUTORS = range(10, 60)
START_BALANCE = 1000
PRICE = 2


@dataclass(frozen=True)
class Seeded:
    unanswered: int  # taken, never answered: to be closed with refunds
    unanswered_takes: int
    answered: int  # taken and answered: to expire without refunds
    untouched: int  # never taken: to expire


SEED_SQL = (
    """
    INSERT INTO users (id, balance, created_at, updated_at)
    SELECT u.id, u.balance, CAST(:created AS timestamptz), CAST(:created AS timestamptz)
    FROM (SELECT CAST(:owner AS bigint) AS id, CAST(0 AS bigint) AS balance
          UNION ALL
          SELECT e, CAST(:start AS bigint) FROM unnest(CAST(:executors AS bigint[])) AS e) u
    """,
    """
    INSERT INTO ledger_entries (user_id, type, amount, balance_after, method, created_at)
    SELECT e, 'recharge', CAST(:start AS bigint), CAST(:start AS bigint), 'dev',
           CAST(:created AS timestamptz)
    FROM unnest(CAST(:executors AS bigint[])) AS e ORDER BY e
    """,
    # Order i has i % 4 takes; one in five taken orders was answered.
    """
    INSERT INTO orders (id, owner_id, category, description, city, city_key, contact, status,
                        max_executors, take_price, executors_count, created_at, updated_at,
                        expires_at, first_taken_at, responded_at)
    SELECT 'due' || lpad(i::text, 9, '0'), CAST(:owner AS bigint), 'plumbing',
           'Нужен сантехник срочно', 'Москва', 'москва', '+7 999 000-00-00', 'active', 3,
           CAST(:price AS bigint), i % 4, p.created, p.created, p.expires,
           CASE WHEN i % 4 > 0 THEN p.taken END,
           CASE WHEN i % 4 > 0 AND i % 5 = 0 THEN p.taken END
    FROM generate_series(1, :count) AS i,
         (SELECT CAST(:created AS timestamptz) AS created,
                 CAST(:expires AS timestamptz) AS expires,
                 CAST(:taken AS timestamptz) AS taken) AS p
    """,
    """
    INSERT INTO takes (order_id, executor_id, price_paid, taken_at)
    SELECT 'due' || lpad(i::text, 9, '0'), :first_executor + (i + 7 * j) % :executor_count,
           CAST(:price AS bigint), CAST(:taken AS timestamptz)
    FROM generate_series(1, :count) AS i, generate_series(0, 2) AS j
    WHERE j < i % 4
    ORDER BY i, j
    """,
    """
    INSERT INTO ledger_entries
        (user_id, type, amount, balance_after, order_id, take_id, created_at)
    SELECT executor_id, 'order_take', -price_paid,
           CAST(:start AS bigint) - sum(price_paid) OVER (PARTITION BY executor_id ORDER BY id),
           order_id, id, taken_at
    FROM takes ORDER BY id
    """,
    """
    UPDATE users SET balance = users.balance - t.spent
    FROM (SELECT executor_id, sum(price_paid) AS spent FROM takes GROUP BY executor_id) t
    WHERE users.id = t.executor_id
    """,
)


async def seed_due_orders(engine: AsyncEngine, count: int, now: datetime) -> Seeded:
    """``count`` orders all due at ``now``, with takes and a ledger that passes the audit."""
    params = {
        "owner": OWNER,
        "executors": list(EXECUTORS),
        "first_executor": EXECUTORS[0],
        "executor_count": len(EXECUTORS),
        "start": START_BALANCE,
        "price": PRICE,
        "count": count,
        "created": now - timedelta(minutes=70),
        "taken": now - timedelta(minutes=60),
        "expires": now - timedelta(minutes=10),
    }
    async with engine.begin() as connection:
        for sql in SEED_SQL:
            await connection.execute(text(sql), params)
    taken = [i for i in range(1, count + 1) if i % 4]
    unanswered = [i for i in taken if i % 5]
    return Seeded(
        unanswered=len(unanswered),
        unanswered_takes=sum(i % 4 for i in unanswered),
        answered=len(taken) - len(unanswered),
        untouched=count - len(taken),
    )


def total(reports: list[CloseReport]) -> CloseReport:
    result = CloseReport()
    for report in reports:
        result.add(report)
    return result


async def status_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT status, count(*) FROM orders GROUP BY 1"))
        return {row[0]: row[1] for row in rows}


async def test_seeded_state_is_clean(app, engine):
    seeded = await seed_due_orders(engine, 40, clock.now())
    assert seeded.unanswered > 0
    assert seeded.answered > 0
    assert seeded.untouched > 0
    await audit_clean(engine)


@pytest.mark.parametrize("batch_size", [7, 2000])
async def test_concurrent_copies_close_each_order_once(app, engine, database_url, batch_size):
    now = clock.now()
    seeded = await seed_due_orders(engine, 200, now)
    spent_before = await scalar(
        engine, "SELECT sum(:start - balance) FROM users WHERE id > 1", start=START_BALANCE
    )
    assert spent_before == 2 * await scalar(engine, "SELECT count(*) FROM takes")
    settings = app.state.settings.model_copy(update={"auto_close_batch_size": batch_size})

    # Each copy has its own database pool, as separate worker processes would.
    pools = [await Database.open(database_url, pool_size=1) for _ in range(4)]
    try:
        reports = await asyncio.gather(*(close_due_orders(db, settings, now) for db in pools))
    finally:
        for db in pools:
            await db.close()

    combined = total(list(reports))
    assert combined == CloseReport(
        closed_no_response=seeded.unanswered,
        refunds=seeded.unanswered_takes,
        refunded_amount=PRICE * seeded.unanswered_takes,
        expired=seeded.answered + seeded.untouched,
    )
    assert await status_counts(engine) == {
        "closed_no_response": seeded.unanswered,
        "expired": seeded.answered + seeded.untouched,
    }
    refunds = await scalar(engine, "SELECT count(*) FROM ledger_entries WHERE type = 'refund'")
    refunded_takes = await scalar(
        engine, "SELECT count(*) FROM takes WHERE refunded_at IS NOT NULL"
    )
    assert refunds == refunded_takes == seeded.unanswered_takes
    assert (
        await scalar(
            engine,
            "SELECT count(*) FROM (SELECT take_id FROM ledger_entries WHERE type = 'refund'"
            " GROUP BY take_id HAVING count(*) > 1) d",
        )
        == 0
    )
    # Executors keep exactly what they paid for answered orders.
    kept = await scalar(
        engine,
        "SELECT count(*) FROM takes t JOIN orders o ON o.id = t.order_id"
        " WHERE o.status = 'expired'",
    )
    assert (
        await scalar(
            engine, "SELECT sum(:start - balance) FROM users WHERE id > 1", start=START_BALANCE
        )
        == PRICE * kept
    )
    await audit_clean(engine)

    assert await close_due_orders(app.state.db, settings, now) == CloseReport()


async def test_copies_at_successive_moments_refund_once(app, engine):
    now = clock.now()
    seeded = await seed_due_orders(engine, 60, now)
    settings = app.state.settings.model_copy(update={"auto_close_batch_size": 5})
    moments = [now, now + timedelta(seconds=1), now + timedelta(minutes=30), now]
    reports = await asyncio.gather(*(close_due_orders(app.state.db, settings, m) for m in moments))
    assert total(list(reports)).refunds == seeded.unanswered_takes
    assert (
        await scalar(engine, "SELECT count(*) FROM ledger_entries WHERE type = 'refund'")
        == seeded.unanswered_takes
    )
    await audit_clean(engine)


async def test_a_second_refund_of_one_take_is_refused_by_the_database(app, engine):
    now = clock.now()
    await seed_due_orders(engine, 4, now)
    await close_due_orders(app.state.db, app.state.settings, now)
    async with engine.connect() as connection:
        refund = (
            await connection.execute(
                text(
                    "SELECT user_id, order_id, take_id, amount, balance_after"
                    " FROM ledger_entries WHERE type = 'refund' ORDER BY id LIMIT 1"
                )
            )
        ).one()
    duplicate = text(
        "INSERT INTO ledger_entries"
        " (user_id, type, amount, balance_after, order_id, take_id, created_at)"
        " VALUES (:user_id, 'refund', :amount, :balance_after, :order_id, :take_id, :now)"
    )
    with pytest.raises(IntegrityError, match="uq_ledger_entries_take_refund"):
        async with engine.begin() as connection:
            await connection.execute(
                duplicate,
                {
                    "user_id": refund.user_id,
                    "amount": refund.amount,
                    "balance_after": refund.balance_after + refund.amount,
                    "order_id": refund.order_id,
                    "take_id": refund.take_id,
                    "now": now,
                },
            )
    # A refund of another amount, or on another user, is refused all the same.
    with pytest.raises(IntegrityError, match="uq_ledger_entries_take_refund"):
        async with engine.begin() as connection:
            await connection.execute(
                duplicate,
                {
                    "user_id": OWNER,
                    "amount": 1,
                    "balance_after": 1,
                    "order_id": refund.order_id,
                    "take_id": refund.take_id,
                    "now": now,
                },
            )
    await audit_clean(engine)


# --- the job racing users' requests ----------------------------------------------------

CLIENTS = range(100, 110)
TAKERS = range(200, 206)
LATECOMER = 300


async def test_job_racing_requests_has_no_deadlock_and_no_500(client, app, engine):
    """Due orders are closed while their takers take other orders, owners answer and
    complete others, and reviews and complaints are written about the due ones."""
    for user in (*TAKERS, LATECOMER):
        await recharge(client, user, 100)
    due = []
    for n in range(20):
        order = await create_order(client, CLIENTS[n % len(CLIENTS)])
        pair = (TAKERS[n % len(TAKERS)], TAKERS[(n + 1) % len(TAKERS)])
        for executor in pair:
            assert (await take(client, order["id"], executor)).status_code == 200
        due.append((order, pair))
    clock.advance(timedelta(minutes=10))
    answered = []
    for n in range(10):
        order = await create_order(client, CLIENTS[n % len(CLIENTS)])
        executor = TAKERS[n % len(TAKERS)]
        assert (await take(client, order["id"], executor)).status_code == 200
        answered.append((order, executor))
    fresh = [await create_order(client, CLIENTS[n % len(CLIENTS)]) for n in range(10)]
    clock.advance(timedelta(minutes=5))  # the first 20 are now due, nothing else

    settings = app.state.settings.model_copy(update={"auto_close_batch_size": 3})
    jobs = [close_due_orders(app.state.db, settings) for _ in range(4)]
    requests: list[tuple[str, Any]] = []
    for n, order in enumerate(fresh):
        for executor in (TAKERS[n % len(TAKERS)], TAKERS[(n + 2) % len(TAKERS)]):
            requests.append(("take", take(client, order["id"], executor)))
    for n, (order, executor) in enumerate(answered):
        owner = auth(CLIENTS[n % len(CLIENTS)])
        path = f"/api/orders/{order['id']}"
        if n % 2:
            requests.append(("respond", client.post(f"{path}/respond", headers=owner)))
        else:
            requests.append(
                (
                    "complete",
                    client.post(f"{path}/complete", json={"executor_id": executor}, headers=owner),
                )
            )
    for n, (order, pair) in enumerate(due):
        owner = auth(CLIENTS[n % len(CLIENTS)])
        requests.append(("late take", take(client, order["id"], LATECOMER)))
        requests.append(("replay", take(client, order["id"], pair[0])))
        requests.append(
            ("late respond", client.post(f"/api/orders/{order['id']}/respond", headers=owner))
        )
        requests.append(
            (
                "review",
                client.post(
                    "/api/reviews/client",
                    json={"order_id": order["id"], "executor_id": pair[0], "rating": 1 + n % 5},
                    headers=owner,
                ),
            )
        )
        requests.append(
            (
                "complaint",
                client.post(
                    "/api/reviews/executor",
                    json={"order_id": order["id"], "reason": "no_response"},
                    headers=auth(pair[1]),
                ),
            )
        )
    for user in TAKERS:
        requests.append(
            (
                "recharge",
                client.post("/api/balance/recharge", json={"amount": 1}, headers=auth(user)),
            )
        )

    outcomes = await asyncio.wait_for(
        asyncio.gather(*jobs, *(request for _, request in requests)), timeout=120
    )
    reports, responses = list(outcomes[: len(jobs)]), outcomes[len(jobs) :]
    expected = {
        "take": (200, None),
        "respond": (200, None),
        "complete": (200, None),
        "late take": (409, "order_not_active"),
        "replay": (200, None),
        "late respond": (409, "order_not_active"),
        "review": (201, None),
        "complaint": (201, None),
        "recharge": (200, None),
    }
    for (kind, _), response in zip(requests, responses, strict=True):
        status, code = expected[kind]
        assert response.status_code == status, (kind, response.text)
        if code is not None:
            assert response.json()["code"] == code, (kind, response.text)

    # A copy skips an order a request holds locked; the next run closes it.
    reports.append(await close_due_orders(app.state.db, settings))
    combined = total(reports)
    assert combined == CloseReport(closed_no_response=20, refunds=40, refunded_amount=80)
    assert await status_counts(engine) == {
        "closed_no_response": 20,
        "active": 15,
        "completed": 5,
    }
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries WHERE type = 'refund'") == 40
    assert await scalar(engine, "SELECT count(*) FROM takes") == 40 + 10 + 20
    # Each taker: +100 +1, -2 for every take, +2 back for every take of a due order.
    async with engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT u.id, u.balance, count(t.id) FILTER (WHERE t.refunded_at IS NULL) AS kept"
                " FROM users u LEFT JOIN takes t ON t.executor_id = u.id"
                " WHERE u.id = ANY(:ids) GROUP BY u.id"
            ),
            {"ids": list(TAKERS)},
        )
        for user_id, user_balance, kept in rows.all():
            assert user_balance == 101 - PRICE * kept, user_id
    await audit_clean(engine)
