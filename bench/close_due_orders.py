"""Time one run of the auto-close job over many due orders.

Seeds N orders that are all due at once (half taken and never answered, with 1-3 takes each
and the matching ledger rows; half never taken and past ``expires_at``), times one
``close_due_orders`` call, then runs the money audit.

It always works in a throwaway database, created on the server and dropped at the end
(``--keep`` keeps it), so it never touches real data. The server is, in this order:
``--server-url``, the server of ``DATABASE_URL``, or the embedded server of the data
folder (``./.srochno``)::

    .venv/bin/python bench/close_due_orders.py                     # embedded server
    .venv/bin/python bench/close_due_orders.py --orders 20000 \\
        --server-url postgresql://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/close_due_orders.py --explain            # plans of one batch
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from datetime import datetime, timedelta

import asyncpg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno import clock
from srochno.config import Settings, load_settings
from srochno.db import Database, create_engine, plain_url
from srochno.embedded import drop_database, ensure_database, with_database
from srochno.ledger import refunds as flow
from srochno.ledger.audit import audit
from srochno.migrations import upgrade
from srochno.orders import auto_close as job

START_BALANCE = 1_000_000
EXECUTOR_BASE = 1_000_000_000

SEED = (
    (
        "users",
        """
        INSERT INTO users (id, balance, created_at, updated_at)
        SELECT o, 0, p.at, p.at
        FROM generate_series(1, :owners) AS o, (SELECT CAST(:created AS timestamptz) AS at) p
        UNION ALL
        SELECT :executor_base + e, CAST(:start AS bigint), p.at, p.at
        FROM generate_series(1, :executors) AS e,
             (SELECT CAST(:created AS timestamptz) AS at) p
        """,
    ),
    (
        "recharges",
        """
        INSERT INTO ledger_entries (user_id, type, amount, balance_after, method, created_at)
        SELECT :executor_base + e, 'recharge', CAST(:start AS bigint),
               CAST(:start AS bigint), 'bench', CAST(:created AS timestamptz)
        FROM generate_series(1, :executors) AS e ORDER BY e
        """,
    ),
    (
        # Even orders are taken (1-3 takes) and never answered; odd ones never taken.
        "orders",
        """
        INSERT INTO orders (id, owner_id, category, description, city, city_key, contact,
                            status, max_executors, take_price, executors_count, created_at,
                            updated_at, expires_at, first_taken_at)
        SELECT 'b' || lpad(i::text, 11, '0'), 1 + i % :owners, 'plumbing',
               'Нужен сантехник срочно', 'Москва', 'москва', '+7 999 000-00-00', 'active',
               3, CAST(:price AS bigint), CASE WHEN i % 2 = 0 THEN 1 + i % 3 ELSE 0 END,
               p.created, p.created, p.expires,
               CASE WHEN i % 2 = 0 THEN p.taken END
        FROM generate_series(1, :orders) AS i,
             (SELECT CAST(:created AS timestamptz) AS created,
                     CAST(:expires AS timestamptz) AS expires,
                     CAST(:taken AS timestamptz) AS taken) AS p
        """,
    ),
    (
        "takes",
        """
        INSERT INTO takes (order_id, executor_id, price_paid, taken_at)
        SELECT 'b' || lpad(i::text, 11, '0'),
               :executor_base + 1 + (i / 2 + j * 7919) % :executors,
               CAST(:price AS bigint), CAST(:taken AS timestamptz)
        FROM generate_series(2, :orders, 2) AS i, generate_series(0, 2) AS j
        WHERE j <= i % 3
        ORDER BY i, j
        """,
    ),
    (
        "take ledger rows",
        """
        INSERT INTO ledger_entries
            (user_id, type, amount, balance_after, order_id, take_id, created_at)
        SELECT executor_id, 'order_take', -price_paid,
               CAST(:start AS bigint) - sum(price_paid) OVER (PARTITION BY executor_id ORDER BY id),
               order_id, id, taken_at
        FROM takes ORDER BY id
        """,
    ),
    (
        "balances",
        """
        UPDATE users SET balance = users.balance - t.spent
        FROM (SELECT executor_id, sum(price_paid) AS spent FROM takes GROUP BY executor_id) t
        WHERE users.id = t.executor_id
        """,
    ),
)


async def seed(engine: AsyncEngine, orders: int, executors: int, now: datetime) -> None:
    params = {
        "orders": orders,
        "owners": max(1, orders // 10),
        "executors": executors,
        "executor_base": EXECUTOR_BASE,
        "start": START_BALANCE,
        "price": 2,
        "created": now - timedelta(minutes=70),
        "taken": now - timedelta(minutes=60),
        "expires": now - timedelta(minutes=10),
    }
    async with engine.begin() as connection:
        for name, sql in SEED:
            started = time.perf_counter()
            result = await connection.execute(text(sql), params)
            took = time.perf_counter() - started
            print(f"  seeded {name}: {result.rowcount} rows in {took:.2f} s")
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text("VACUUM ANALYZE"))


async def explain_one_batch(url: str, settings: Settings, now: datetime) -> None:
    """EXPLAIN ANALYZE every statement of one unanswered batch (the job's and the refund
    flow's) and one expiry batch, in a transaction that is rolled back."""
    deadline = now - settings.no_response_timeout
    batch = settings.auto_close_batch_size
    connection = await asyncpg.connect(plain_url(url))

    async def explain(label: str, sql: str, *args: object) -> None:
        rows = await connection.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args)
        print(f"--- {label}")
        for (line,) in rows:
            print("   ", line if len(line) < 160 else line[:157] + "...")

    trans = connection.transaction()
    await trans.start()
    try:
        ids = [row["id"] for row in await connection.fetch(job.PICK_UNANSWERED, deadline, batch)]
        await explain("pick unanswered", job.PICK_UNANSWERED, deadline, batch)
        await explain("close", job.CLOSE_UNANSWERED, ids, now)
        refunds = await connection.fetch(
            "SELECT id, order_id, executor_id, price_paid FROM takes"
            " WHERE order_id = ANY($1::varchar[]) AND refunded_at IS NULL",
            ids,
        )
        await explain("mark refunded", flow.MARK_REFUNDED, ids, now, None)
        executors = [r["executor_id"] for r in refunds]
        prices = [r["price_paid"] for r in refunds]
        await explain("lock users", flow.LOCK_USERS, sorted(set(executors)))
        await explain(
            "write refunds",
            flow.WRITE_REFUNDS,
            [r["id"] for r in refunds],
            [r["order_id"] for r in refunds],
            executors,
            prices,
            now,
        )
        await explain("credit refunds", flow.CREDIT_REFUNDS, executors, prices)
        await explain("expire", job.EXPIRE, now, batch)
    finally:
        await trans.rollback()
        await connection.close()


async def run(args: argparse.Namespace, server_url: str) -> bool:
    name = f"srochno_bench_{uuid.uuid4().hex[:10]}"
    url = await ensure_database(server_url, name)
    print(f"database: {name}")
    engine = create_engine(url, pool_size=2)
    try:
        await asyncio.to_thread(upgrade, url)
        now = clock.now()
        print(f"seeding {args.orders} due orders, {args.executors} executors")
        started = time.perf_counter()
        await seed(engine, args.orders, args.executors, now)
        print(f"seeded in {time.perf_counter() - started:.1f} s")

        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=url,
            auto_close_batch_size=args.batch_size,
        )
        if args.explain:
            await explain_one_batch(url, settings, now)

        started = time.perf_counter()
        db = await Database.open(url, pool_size=2)
        try:
            report = await job.close_due_orders(db, settings, now)
        finally:
            await db.close()
        seconds = time.perf_counter() - started
        print(
            f"close_due_orders: {report.changed} orders closed"
            f" ({report.closed_no_response} unanswered, {report.expired} expired),"
            f" {report.refunds} refunds ({report.refunded_amount} RUB)"
            f" in {seconds:.2f} s, batch size {args.batch_size}"
        )
        async with engine.connect() as connection:
            result = await audit(connection, max_executors=3)
        print("audit: clean" if result.ok else f"audit: VIOLATIONS {result.violations}")
        expected_unanswered = args.orders // 2
        return result.ok and report.closed_no_response == expected_unanswered
    finally:
        await engine.dispose()
        if args.keep:
            print(f"kept database {url}")
        else:
            await drop_database(server_url, name)


def server_of(args: argparse.Namespace) -> str:
    if args.server_url:
        return str(args.server_url)
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return with_database(configured, "postgres")
    from srochno.embedded import database_url

    return with_database(database_url(load_settings()), "postgres")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000, help="due orders to seed")
    parser.add_argument("--executors", type=int, default=5_000, help="distinct takers")
    parser.add_argument("--batch-size", type=int, default=2_000, help="AUTO_CLOSE_BATCH_SIZE")
    parser.add_argument("--server-url", help="a maintenance URL of a PostgreSQL server")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE one batch")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    args = parser.parse_args()
    ok = asyncio.run(run(args, server_of(args)))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
