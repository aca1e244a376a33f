"""Locations at scale: the near feed, the on-duty fan-out and the city list on 1 000 000
orders (200 000 active, over Moscow and St Petersburg) and 100 000 executors with work
areas. Seeded with ``generate_series`` in SQL; each query is timed by the server
(``EXPLAIN (ANALYZE, TIMING OFF)``'s execution time, so the client's round trip is left
out) over many random positions, and one plan of each is written to ``bench/results/``.

    .venv/bin/python bench/geo.py [--orders 1000000] [--executors 100000] [--samples 300]

Needs a PostgreSQL server where a database may be created (``BENCH_ADMIN_URL``, default
the local one); the database ``srochno_bench_geo`` (``BENCH_GEO_DATABASE``) is created,
migrated and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg

from srochno import clock
from srochno.geo import Point, cell_centre, cell_of, cells_within
from srochno.notifications.fanout import CITY_SUBSCRIBERS, ON_DUTY, RECIPIENTS_NEAR
from srochno.orders.repository import feed_statements, near_statements

ADMIN_URL = os.environ.get("BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DATABASE = os.environ.get("BENCH_GEO_DATABASE", "srochno_bench_geo")
RESULTS = Path(__file__).parent / "results"
# (name, centre latitude, centre longitude, half height, half width, share of orders)
CITIES = (
    ("москва", 55.7558, 37.6173, 0.22, 0.36, 0.6),
    ("санкт-петербург", 59.9386, 30.3141, 0.14, 0.28, 0.4),
)
CATEGORIES = ("plumbing", "electrical", "locksmith", "appliances", "cleaning", "other")

# The cell of (lat, lon) in SQL, exactly as srochno.geo.cell_of computes it.
CELL_SQL = """
(SELECT r * 65536 + least(cols - 1, floor(({lon} + 180) / 360 * cols)::bigint)
 FROM (SELECT r, greatest(1, floor(360 * cos(radians(-90 + (r + 0.5) * 0.01)) / 0.01))::bigint
              AS cols
       FROM (SELECT least(17999, floor(({lat} + 90) / 0.01)::bigint) AS r) AS row_) AS c)
"""


def seed_sql(orders: int, active: int, executors: int) -> list[str]:
    owners = 20_000
    (m, mlat, mlon, mdlat, mdlon, mshare), (s, slat, slon, sdlat, sdlon, _) = CITIES
    # A point: the city by share, then a triangular spread (denser in the middle).
    point = f"""
        CASE WHEN random() < {mshare} THEN '{m}' ELSE '{s}' END AS city_key
    """
    return [
        f"""
INSERT INTO users (id, first_name, created_at, updated_at)
SELECT g, 'Owner', now(), now() FROM generate_series(1, {owners}) AS g
""",
        f"""
INSERT INTO users (id, first_name, subscribed_categories, subscribed_cities,
                   notification_frequency, area_lat, area_lon, area_radius_km, on_duty_until,
                   created_at, updated_at)
SELECT 1000000 + g, 'Executor',
       ARRAY[(ARRAY{list(CATEGORIES)})[1 + (g % 6)], (ARRAY{list(CATEGORIES)})[1 + ((g / 6) % 6)]],
       CASE WHEN g % 5 = 0 THEN ARRAY[p.city_key] ELSE '{{}}' END,
       CASE WHEN g % 4 = 0 THEN 'hourly' ELSE 'instant' END,
       p.lat, p.lon, 2 + (g % 19), CASE WHEN g % 10 < 3 THEN now() + interval '8 hours' END,
       now(), now()
FROM generate_series(1, {executors}) AS g,
LATERAL (SELECT city_key,
                CASE WHEN city_key = '{m}' THEN {mlat} + (random() - random()) * {mdlat}
                     ELSE {slat} + (random() - random()) * {sdlat} END AS lat,
                CASE WHEN city_key = '{m}' THEN {mlon} + (random() - random()) * {mdlon}
                     ELSE {slon} + (random() - random()) * {sdlon} END AS lon
         FROM (SELECT {point}, g AS x) AS pick) AS p
""",
        f"""
INSERT INTO orders (id, owner_id, category, description, city, city_key, contact, status,
                    max_executors, take_price, created_at, updated_at, expires_at, lat, lon,
                    cell)
SELECT lpad(to_hex(g), 12, '0'), 1 + (g % {owners}), (ARRAY{list(CATEGORIES)})[1 + (g % 6)],
       'Нужен мастер срочно, подробности при звонке', initcap(p.city_key), p.city_key,
       '+7 900 000-00-00',
       CASE WHEN g <= {active} THEN 'active' ELSE 'expired' END, 3, 2,
       CASE WHEN g <= {active} THEN now() - (g % 3000) * interval '1 second'
            ELSE now() - interval '2 hours' - (g % 1000000) * interval '1 minute' END,
       now(),
       CASE WHEN g <= {active} THEN now() + interval '1 hour' - (g % 3000) * interval '1 second'
            ELSE now() - interval '1 hour' - (g % 1000000) * interval '1 minute' END,
       p.lat, p.lon, {CELL_SQL.format(lat="p.lat", lon="p.lon")}
FROM generate_series(1, {orders}) AS g,
LATERAL (SELECT city_key,
                CASE WHEN city_key = '{m}' THEN {mlat} + (random() - random()) * {mdlat}
                     ELSE {slat} + (random() - random()) * {sdlat} END AS lat,
                CASE WHEN city_key = '{m}' THEN {mlon} + (random() - random()) * {mdlon}
                     ELSE {slon} + (random() - random()) * {sdlon} END AS lon
         FROM (SELECT {point}, g AS x) AS pick) AS p
""",
        "VACUUM ANALYZE users",
        "VACUUM ANALYZE orders",
        # The fan-out's tables, filled by the triggers on users (autovacuum's work in service).
        "VACUUM ANALYZE instant_subscribers",
        "VACUUM ANALYZE duty_areas",
    ]


async def server_ms(conn: asyncpg.Connection, sql: str, *args: Any) -> float:
    plan = await conn.fetchval(f"EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) {sql}", *args)
    import json

    return float(json.loads(plan)[0]["Execution Time"])


async def plan_text(conn: asyncpg.Connection, sql: str, *args: Any) -> str:
    rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args)
    return "\n".join(row[0] for row in rows)


def random_position(rng: random.Random) -> Point:
    _, lat, lon, dlat, dlon, _share = CITIES[0] if rng.random() < 0.6 else CITIES[1]
    return Point(
        lat + (rng.random() - rng.random()) * dlat, lon + (rng.random() - rng.random()) * dlon
    )


def summary(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[int(len(values) * 0.95) - 1]
    return (
        f"median {statistics.median(values):.2f} ms, p95 {p95:.2f} ms, "
        f"max {values[-1]:.2f} ms (n={len(values)})"
    )


async def measure(url: str, samples: int) -> dict[str, str]:
    conn = await asyncpg.connect(url)
    rng = random.Random(7)
    now = clock.now()
    deadline = now - timedelta(minutes=15)
    figures: dict[str, str] = {}
    plans: dict[str, str] = {}
    count_sql, page_sql = near_statements(False, False)
    _, cat_page_sql = near_statements(True, False)
    for radius in (5.0, 20.0):
        pages, counts, with_category, python_ms = [], [], [], []
        for i in range(samples):
            viewer = random_position(rng)
            started = time.perf_counter()
            within = cells_within(viewer, radius)
            cells = [cell for _, cell in within]
            python_ms.append((time.perf_counter() - started) * 1000)
            after = [""] * len(cells)
            args = (now, deadline, cells, after, 20)
            pages.append(await server_ms(conn, page_sql, *args))
            counts.append(await server_ms(conn, count_sql, now, deadline, cells))
            with_category.append(await server_ms(conn, cat_page_sql, *args, rng.choice(CATEGORIES)))
            if i == 0:
                plans[f"near_r{radius:g}_page"] = await plan_text(conn, page_sql, *args)
                plans[f"near_r{radius:g}_count"] = await plan_text(
                    conn, count_sql, now, deadline, cells
                )
                plans[f"near_r{radius:g}_category_page"] = await plan_text(
                    conn, cat_page_sql, *args, "plumbing"
                )
        figures[f"near feed r={radius:g} km, first page (20)"] = summary(pages)
        figures[f"near feed r={radius:g} km, count"] = summary(counts)
        figures[f"near feed r={radius:g} km + category, first page"] = summary(with_category)
        figures[f"near feed r={radius:g} km, cells computed in Python"] = summary(python_ms)
    fan_out, on_duty, city_part, recipients = [], [], [], []
    # The on-duty part alone ($2, the city, unused there, typed for the statement).
    on_duty_sql = ON_DUTY.replace("id <> $3", "id <> $3 AND $2::text IS NOT NULL")
    for i in range(samples):
        spot = random_position(rng)
        centre = cell_centre(cell_of(spot.lat, spot.lon))
        city = "москва" if spot.lat < 58 else "санкт-петербург"
        args = (rng.choice(CATEGORIES), city, 1, now, centre.lat, centre.lon)
        fan_out.append(await server_ms(conn, RECIPIENTS_NEAR, *args))
        on_duty.append(await server_ms(conn, on_duty_sql, *args))
        city_part.append(await server_ms(conn, CITY_SUBSCRIBERS, *args[:3]))
        if i < 20:
            recipients.append(len(await conn.fetch(RECIPIENTS_NEAR, *args)))
        if i == 0:
            plans["fan_out"] = await plan_text(conn, RECIPIENTS_NEAR, *args)
            figures["fan-out recipients of the first sample"] = str(
                len(await conn.fetch(RECIPIENTS_NEAR, *args))
            )
    figures["fan-out query (city subscribers + on-duty areas)"] = summary(fan_out)
    figures["fan-out, the on-duty part alone"] = summary(on_duty)
    figures["fan-out, the city part alone"] = summary(city_part)
    figures["fan-out recipients per order (median of 20)"] = str(statistics.median(recipients))
    _, city_page = feed_statements(True, True, False)
    city_pages = []
    for i in range(samples):
        args = (now, deadline, rng.choice(["москва", "санкт-петербург"]), rng.choice(CATEGORIES))
        city_pages.append(await server_ms(conn, city_page, *args, 20, 0))
        if i == 0:
            plans["city_list_page"] = await plan_text(conn, city_page, *args, 20, 0)
    figures["city list (city + category), first page"] = summary(city_pages)
    await conn.close()
    RESULTS.mkdir(exist_ok=True)
    for name, text_ in plans.items():
        (RESULTS / f"geo_{name}.txt").write_text(text_ + "\n")
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--active", type=int, default=200_000)
    parser.add_argument("--executors", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure an existing database")
    args = parser.parse_args()
    base, _, _ = ADMIN_URL.rpartition("/")
    url = f"{base}/{DATABASE}"
    admin = await asyncpg.connect(ADMIN_URL)
    if not args.reuse:
        await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        await admin.execute(f"CREATE DATABASE {DATABASE}")
        env = {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": "0:unused"}
        migrate = [sys.executable, "-m", "srochno", "migrate"]
        await asyncio.to_thread(subprocess.run, migrate, check=True, env=env)
        conn = await asyncpg.connect(url)
        started = time.perf_counter()
        for statement in seed_sql(args.orders, args.active, args.executors):
            await conn.execute(statement)
        print(f"seeded in {time.perf_counter() - started:.0f} s", flush=True)
        await conn.close()
    try:
        for name, figure in (await measure(url, args.samples)).items():
            print(f"{name}: {figure}")
    finally:
        if not args.keep:
            await admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
