"""Fill a database with users, orders, takes and ledger rows, fast (COPY), with every
ledger invariant of ``srochno audit`` holding.

    python bench/seed.py --orders 100000             # users = orders unless --users
    python bench/seed.py --refresh                   # re-time the active orders to end now

The mix: 50 cities with Zipf-distributed volume, every category, ``--active`` orders created
within the last ``ACTIVE_WINDOW`` (a few of them already past ``expires_at``, as if the
auto-close job had not run yet), and the rest spread over half a year and closed: expired,
completed, closed for no response (takers refunded) or deleted. Every fifth user is an
executor with a recharge; takes debit them, refunds credit them, each with its ledger row
and a running ``balance_after``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    CITIES,
    CITY_WEIGHTS,
    DATABASE_URL,
    EXECUTOR_EVERY,
    RECHARGE,
    connect,
    is_executor,
    profile,
    user_id,
)
from srochno.catalog import CATEGORIES, normalize_city
from srochno.orders.repository import ORDER_FIELDS

LIFETIME = timedelta(minutes=60)
NO_RESPONSE = timedelta(minutes=15)
ACTIVE_WINDOW = timedelta(minutes=30)
HISTORY = timedelta(days=180)
MAX_EXECUTORS = 3
PRICE = 2

HISTORY_STATUSES = ("expired", "completed", "closed_no_response", "deleted")
HISTORY_WEIGHTS = (0.60, 0.20, 0.12, 0.08)

WORK = {
    "plumbing": "Течёт смеситель на кухне, под раковиной уже лужа",
    "electrical": "Выбило автомат и не включается обратно, нет света в двух комнатах",
    "locksmith": "Захлопнулась входная дверь, ключи остались внутри квартиры",
    "appliance_repair": "Стиральная машина не сливает воду и показывает ошибку",
    "computer_help": "Ноутбук не загружается после обновления, нужен к вечеру для работы",
    "moving": "Нужны двое грузчиков поднять диван и шкаф на пятый этаж без лифта",
    "cargo": "Перевезти холодильник и несколько коробок через город",
    "towing": "Машина не заводится у подъезда, нужен прикуриватель или эвакуатор",
    "cleaning": "Уборка однокомнатной квартиры после ремонта, строительная пыль",
    "courier": "Забрать документы из офиса и отвезти в другой конец города",
    "handyman": "Повесить полки и карниз, собрать небольшой шкаф",
    "pet_care": "Погулять с собакой и покормить кошку, пока я в больнице",
    "tutoring": "Срочно нужна консультация по подготовке документов для банка",
    "other": "Помочь донести покупки из машины и поменять лампочку под потолком",
}
DETAILS = (
    "Район центр, подъезд со стороны двора.",
    "Инструмент и материалы есть на месте.",
    "Оплата сразу по факту, наличными или переводом.",
    "Желательно в течение часа, дольше ждать не могу.",
    "Домофон не работает, позвоните когда подъедете.",
    "Этаж третий, парковка у дома свободная.",
    "",
)


@dataclass
class Data:
    users: list[tuple[object, ...]] = field(default_factory=list)
    orders: list[tuple[object, ...]] = field(default_factory=list)
    takes: list[tuple[object, ...]] = field(default_factory=list)
    ledger: list[tuple[object, ...]] = field(default_factory=list)


USER_COLUMNS = (
    "id",
    "first_name",
    "language_code",
    "is_premium",
    "is_banned",
    "balance",
    "completed_orders_count",
    "rating_sum",
    "reviews_count",
    "complaints_count",
    "subscribed_categories",
    "subscribed_cities",
    "notification_frequency",
    "created_at",
    "updated_at",
)
ORDER_COLUMNS = ORDER_FIELDS[: ORDER_FIELDS.index("lat")]  # the service's own, unlocated
TAKE_COLUMNS = ("id", "order_id", "executor_id", "price_paid", "taken_at", "refunded_at")
LEDGER_COLUMNS = (
    "id",
    "user_id",
    "type",
    "amount",
    "balance_after",
    "order_id",
    "take_id",
    "method",
    "created_at",
)


def order_id(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(rng.randbytes(9)).decode()


def generate(orders: int, users: int, active: int, seed: int, now: datetime) -> Data:
    rng = random.Random(seed)
    data = Data()
    user_created = [now - timedelta(days=200 + 200 * rng.random()) for _ in range(users)]
    executors = [user_id(n) for n in range(1, users + 1) if is_executor(user_id(n))]
    if len(executors) < MAX_EXECUTORS + 1:
        raise SystemExit(f"need at least {(MAX_EXECUTORS + 1) * EXECUTOR_EVERY} users")
    categories = list(CATEGORIES)
    city_keys = {city: normalize_city(city) for city in CITIES}
    # (time, kind order, type, amount, order id, take id) per executor; recharge first.
    events: dict[int, list[tuple[datetime, int, str, int, str | None, int | None]]] = defaultdict(
        list
    )
    for executor in executors:
        events[executor].append(
            (user_created[executor - user_id(1)], 0, "recharge", RECHARGE, None, None)
        )
    completed_count: dict[int, int] = defaultdict(int)
    take_id = 0
    stale = max(1, active // 100)

    for i in range(orders):
        owner = user_id(rng.randint(1, users))
        category = rng.choice(categories)
        city = rng.choices(CITIES, CITY_WEIGHTS)[0]
        if i < active - stale:
            status = "active"
            created = now - ACTIVE_WINDOW * rng.random()
        elif i < active:  # past expires_at, the job has not closed it yet
            status = "active"
            created = now - LIFETIME - timedelta(seconds=60 * rng.random() + 1)
        else:
            status = rng.choices(HISTORY_STATUSES, HISTORY_WEIGHTS)[0]
            created = now - LIFETIME - timedelta(minutes=2) - HISTORY * rng.random()
        expires = created + LIFETIME
        alive_until = min(expires, now)  # takes happen while the order is listed

        if status == "active":
            takers = 1 if rng.random() < 0.2 else 0
        elif status == "expired":
            takers = rng.randint(1, MAX_EXECUTORS) if rng.random() < 0.3 else 0
        elif status in ("completed", "closed_no_response"):
            takers = rng.randint(1, MAX_EXECUTORS)
        else:
            takers = 0
        chosen = [e for e in rng.sample(executors, MAX_EXECUTORS + 1) if e != owner][:takers]

        first_taken = responded = completed_at = completed_by = closed = None
        updated = created
        take_times: list[datetime] = []
        if chosen:
            span = (alive_until - created).total_seconds()
            first_taken = created + timedelta(seconds=span * 0.75 * rng.random())
            window = (min(alive_until, first_taken + NO_RESPONSE) - first_taken).total_seconds()
            later = (first_taken + timedelta(seconds=window * rng.random()) for _ in chosen[1:])
            take_times = [first_taken, *sorted(later)]
        if status == "closed_no_response":
            assert first_taken is not None
            closed = first_taken + NO_RESPONSE + timedelta(seconds=60 * rng.random())
            updated = closed
        elif chosen:
            assert first_taken is not None
            responded = min(first_taken + timedelta(minutes=1 + 9 * rng.random()), now)
            updated = responded
        if status == "completed":
            completed_by = rng.choice(chosen)
            completed_at = min(take_times[-1] + timedelta(hours=0.2 + 40 * rng.random()), now)
            completed_count[completed_by] += 1
            updated = completed_at
        elif status == "expired":
            updated = max(updated, expires)
        elif status == "deleted":
            closed = created + timedelta(minutes=1 + 29 * rng.random())
            updated = closed

        oid = order_id(rng)
        description = f"{WORK[category]}. {rng.choice(DETAILS)}".strip()
        contact = f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-00"
        data.orders.append(
            (
                oid,
                owner,
                category,
                description,
                city,
                city_keys[city],
                contact,
                status,
                MAX_EXECUTORS,
                PRICE,
                len(chosen),
                created,
                updated,
                expires,
                first_taken,
                responded,
                completed_at,
                completed_by,
                closed,
            )
        )
        for executor, taken_at in zip(chosen, take_times, strict=True):
            take_id += 1
            data.takes.append((take_id, oid, executor, PRICE, taken_at, closed))
            events[executor].append((taken_at, 1, "order_take", -PRICE, oid, take_id))
            if closed is not None:
                events[executor].append((closed, 2, "refund", PRICE, oid, take_id))

    balances: dict[int, int] = {}
    ledger_id = 0
    for executor in executors:
        running = 0
        for at, _, kind, amount, oid, tid in sorted(events[executor], key=lambda e: e[:2]):
            ledger_id += 1
            running += amount
            method = "dev" if kind == "recharge" else None
            data.ledger.append((ledger_id, executor, kind, amount, running, oid, tid, method, at))
        balances[executor] = running

    for n in range(1, users + 1):
        uid = user_id(n)
        created = user_created[n - 1]
        data.users.append(
            (
                uid,
                profile(uid)["first_name"],
                profile(uid)["language_code"],
                False,
                False,
                balances.get(uid, 0),
                completed_count.get(uid, 0),
                0,
                0,
                0,
                [],
                [],
                "instant",
                created,
                created,
            )
        )
    return data


async def load(url: str, data: Data) -> None:
    connection = await connect(url)
    try:
        async with connection.transaction():
            # Foreign-key triggers off while copying: the rows are consistent by
            # construction, and ``srochno audit`` checks them afterwards. (The live
            # feed's event triggers are off too: a seeded history is no news.)
            await connection.execute("SET LOCAL session_replication_role = replica")
            await connection.execute(
                "TRUNCATE complaints, reviews, ledger_entries, takes, orders, users "
                "RESTART IDENTITY CASCADE"
            )
            for table, columns, rows in (
                ("users", USER_COLUMNS, data.users),
                ("orders", ORDER_COLUMNS, data.orders),
                ("takes", TAKE_COLUMNS, data.takes),
                ("ledger_entries", LEDGER_COLUMNS, data.ledger),
            ):
                started = time.perf_counter()
                await connection.copy_records_to_table(table, records=rows, columns=columns)
                print(f"  {table}: {len(rows)} rows in {time.perf_counter() - started:.1f} s")
            for table in ("takes", "ledger_entries"):
                await connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                )
        await connection.execute("VACUUM ANALYZE users, orders, takes, ledger_entries")
    finally:
        await connection.close()


async def refresh(url: str) -> None:
    """Move the active orders (and their takes) forward so the newest was created now:
    the listed set stays the same size however long ago the seed ran."""
    connection = await connect(url)
    try:
        async with connection.transaction():
            shift = await connection.fetchval(
                "SELECT now() - max(created_at) FROM orders WHERE status = 'active'"
            )
            if shift is None:
                return
            await connection.execute(
                "UPDATE takes SET taken_at = taken_at + $1 FROM orders o "
                "WHERE o.id = takes.order_id AND o.status = 'active'",
                shift,
            )
            await connection.execute(
                """
                UPDATE orders SET created_at = created_at + $1, updated_at = updated_at + $1,
                    expires_at = expires_at + $1, first_taken_at = first_taken_at + $1,
                    responded_at = responded_at + $1
                WHERE status = 'active'
                """,
                shift,
            )
        print(f"active orders moved forward by {shift}")
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DATABASE_URL)
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--users", type=int, help="default: as many as orders")
    parser.add_argument("--active", type=int, default=2000, help="orders listed right now")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--refresh", action="store_true", help="only re-time active orders")
    args = parser.parse_args()
    if args.refresh:
        asyncio.run(refresh(args.database_url))
        return
    users = args.users or args.orders
    active = min(args.active, args.orders // 2)
    started = time.perf_counter()
    data = generate(args.orders, users, active, args.seed, datetime.now(UTC))
    print(
        f"seeding {len(data.users)} users, {len(data.orders)} orders ({active} active), "
        f"{len(data.takes)} takes, {len(data.ledger)} ledger rows "
        f"(generated in {time.perf_counter() - started:.1f} s)"
    )
    asyncio.run(load(args.database_url, data))
    print(f"seeded in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
