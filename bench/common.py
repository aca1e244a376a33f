"""What the seed, the load generators and the run script agree on."""

from __future__ import annotations

import json
import os
from typing import Any

from srochno.auth.telegram import sign_init_data

DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/srochno_bench"
)
BOT_TOKEN = "7100000001:BENCH-srochno-token-for-load-runs-only-0001"

USER_ID_BASE = 1_000_000
"""Seeded users have the Telegram ids ``USER_ID_BASE + 1 .. USER_ID_BASE + users``."""
EXECUTOR_EVERY = 5
"""Every fifth user is an executor with money on the balance (a recharge ledger row)."""
RECHARGE = 10_000

# Orders created or taken by the load runs live in a city of their own, so the runs never
# change what the list endpoint returns for the seeded cities.
BENCH_CITY = "Бенчмарк"

# 50 cities; order volume falls off with the rank (Zipf, s = 1).
CITIES = (
    "Москва",
    "Санкт-Петербург",
    "Новосибирск",
    "Екатеринбург",
    "Казань",
    "Нижний Новгород",
    "Челябинск",
    "Красноярск",
    "Самара",
    "Уфа",
    "Ростов-на-Дону",
    "Омск",
    "Краснодар",
    "Воронеж",
    "Пермь",
    "Волгоград",
    "Саратов",
    "Тюмень",
    "Тольятти",
    "Барнаул",
    "Ижевск",
    "Махачкала",
    "Хабаровск",
    "Ульяновск",
    "Иркутск",
    "Владивосток",
    "Ярославль",
    "Севастополь",
    "Томск",
    "Ставрополь",
    "Кемерово",
    "Набережные Челны",
    "Оренбург",
    "Новокузнецк",
    "Балашиха",
    "Рязань",
    "Чебоксары",
    "Калининград",
    "Пенза",
    "Липецк",
    "Киров",
    "Астрахань",
    "Тула",
    "Улан-Удэ",
    "Сочи",
    "Курск",
    "Тверь",
    "Магнитогорск",
    "Сургут",
    "Брянск",
)
CITY_WEIGHTS = tuple(1 / rank for rank in range(1, len(CITIES) + 1))

ORDER_BODY = {
    "category": "plumbing",
    "description": "Прорвало трубу под раковиной на кухне, нужен сантехник в течение часа",
    "city": BENCH_CITY,
    "contact": "+7 999 123-45-67",
}


def user_id(n: int) -> int:
    """The Telegram id of the n-th seeded user (1-based)."""
    return USER_ID_BASE + n


def is_executor(telegram_id: int) -> bool:
    return telegram_id % EXECUTOR_EVERY == 0


def profile(telegram_id: int) -> dict[str, object]:
    """The Telegram profile a seeded user has; initData carries exactly this, so the
    service reads the user without writing."""
    return {"id": telegram_id, "first_name": f"User{telegram_id}", "language_code": "ru"}


def init_data(telegram_id: int, auth_date: int = 1_700_000_000) -> str:
    """Signed initData of a seeded user. Its age is never checked in the runs
    (``INIT_DATA_MAX_AGE_SECONDS=0``), so it is signed once and replayed."""
    fields = {
        "query_id": f"AAB{telegram_id}",
        "user": json.dumps(profile(telegram_id), ensure_ascii=False, separators=(",", ":")),
        "auth_date": str(auth_date),
    }
    return sign_init_data(fields, BOT_TOKEN)


def authorization(telegram_id: int) -> str:
    return f"tma {init_data(telegram_id)}"


def server_env(database_url: str = DATABASE_URL) -> dict[str, str]:
    """The environment both servers run with."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
        "AUTO_CLOSE_INTERVAL_SECONDS": "0",
        # The request path alone: the notification worker (which `serve` runs in one
        # process unless told not to) is measured by bench/notify.py. Without this its
        # consumers run inside the measured process and their CPU is counted per request.
        "SERVE_WORKER": "false",
        "LOG_LEVEL": "WARNING",
        "INIT_DATA_MAX_AGE_SECONDS": "0",
        # The limits run (their statements on every request) without ever tripping: one
        # address and a few users send everything. BENCH_LIMITS=off switches them off.
        "RATE_LIMITS": "false" if os.environ.get("BENCH_LIMITS") == "off" else "true",
        "RATE_IP_PER_MINUTE": "1000000000",
        "RATE_CREATE_PER_HOUR": "1000000000",
        "RATE_TAKE_PER_MINUTE": "1000000000",
        "RATE_INVOICE_PER_MINUTE": "1000000000",
        "MAX_ACTIVE_ORDERS_PER_CLIENT": "1000000000",
    }


async def connect(url: str = DATABASE_URL) -> Any:
    """An asyncpg connection; waits out a server that is briefly full (it is shared)."""
    import asyncio

    import asyncpg

    for attempt in range(30):
        try:
            return await asyncpg.connect(url)
        except asyncpg.exceptions.TooManyConnectionsError:
            if attempt == 29:
                raise
            await asyncio.sleep(1)
    raise AssertionError("unreachable")
