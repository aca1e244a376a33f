"""The dashboard's figures: per UTC day over the last 30 days, and over the whole period.

Orders are counted by the day they were created (a cohort: of the orders created that day,
how many were taken, completed, closed without response, and how fast the first take came),
so the latest days still move while their orders live. Money and active executors are
counted by the day they happened. Each query is one range scan of an index on its time
column (``ix_orders_created``, ``ix_ledger_entries_created``, ``ix_takes_taken``), covering
the columns it reads; plans on 1 M orders are in ``bench/RESULTS.md``.

Stars income is the rubles credited by Telegram Stars payments: ``recharge`` ledger rows
with the method ``telegram_stars`` (0 until payments are taken); YooKassa income, the
rubles credited by top-ups (method ``yookassa``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from srochno.db import Connection
from srochno.enums import YOOKASSA_METHOD, LedgerType, OrderStatus

DAYS = 30
STARS_METHOD = "telegram_stars"

ORDERS_BY_DAY = f"""
SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
       count(*) AS orders_created,
       count(first_taken_at) AS orders_taken,
       count(*) FILTER (WHERE status = '{OrderStatus.completed.value}') AS orders_completed,
       count(*) FILTER (WHERE status = '{OrderStatus.closed_no_response.value}')
           AS orders_closed_no_response,
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY extract(epoch FROM first_taken_at - created_at)
       ) / 60 AS median_minutes_to_first_take
FROM orders
WHERE created_at >= $1 AND created_at < $2
GROUP BY GROUPING SETS ((1), ())
"""
MONEY_BY_DAY = f"""
SELECT (created_at AT TIME ZONE 'UTC')::date AS day,
       coalesce(-sum(amount) FILTER (WHERE type = '{LedgerType.order_take.value}'), 0)
           AS take_revenue,
       coalesce(sum(amount) FILTER (WHERE type = '{LedgerType.refund.value}'), 0) AS refunds,
       coalesce(sum(amount) FILTER (
           WHERE type = '{LedgerType.recharge.value}' AND method = '{STARS_METHOD}'
       ), 0) AS stars_income,
       coalesce(sum(amount) FILTER (
           WHERE type = '{LedgerType.recharge.value}' AND method = '{YOOKASSA_METHOD}'
       ), 0) AS yookassa_income
FROM ledger_entries
WHERE created_at >= $1 AND created_at < $2
GROUP BY GROUPING SETS ((1), ())
"""
EXECUTORS_BY_DAY = """
SELECT (taken_at AT TIME ZONE 'UTC')::date AS day, count(DISTINCT executor_id) AS active_executors
FROM takes
WHERE taken_at >= $1 AND taken_at < $2
GROUP BY GROUPING SETS ((1), ())
"""

COUNTS = (
    "orders_created",
    "orders_taken",
    "orders_completed",
    "orders_closed_no_response",
    "take_revenue",
    "refunds",
    "stars_income",
    "yookassa_income",
    "active_executors",
)


def period(now: datetime, days: int = DAYS) -> tuple[date, datetime, datetime]:
    """The first day and the time range of the ``days`` UTC days ending with today."""
    today = now.astimezone(UTC).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, UTC)
    return first, start, start + timedelta(days=days)


JSON_SAFE_INTEGER = 2**53 - 1
"""The largest integer every JSON reader (JavaScript's numbers) holds exactly."""


def json_number(value: int) -> int | str:
    """A sum as a JSON number, or as its decimal string beyond what a JSON reader holds
    exactly: sums of BIGINT money overflow 64 bits, which no JSON encoder here writes."""
    return value if -JSON_SAFE_INTEGER <= value <= JSON_SAFE_INTEGER else str(value)


def _figures(row: dict[str, Any]) -> dict[str, Any]:
    counts = {name: int(row.get(name) or 0) for name in COUNTS}
    figures: dict[str, Any] = {name: json_number(value) for name, value in counts.items()}
    taken = counts["orders_taken"]
    figures["completion_rate"] = round(counts["orders_completed"] / taken, 4) if taken else None
    median = row.get("median_minutes_to_first_take")
    figures["median_minutes_to_first_take"] = (
        round(float(median), 2) if median is not None else None
    )
    return figures


async def dashboard_stats(conn: Connection, now: datetime, days: int = DAYS) -> dict[str, Any]:
    """``{"from", "to", "days": [{"date", figures…}], "totals": {figures…}}``."""
    first, start, end = period(now, days)
    merged: dict[date | None, dict[str, Any]] = {}
    for statement in (ORDERS_BY_DAY, MONEY_BY_DAY, EXECUTORS_BY_DAY):
        for row in await conn.fetch(statement, start, end):
            merged.setdefault(row["day"], {}).update(dict(row))
    series = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        series.append({"date": day.isoformat(), **_figures(merged.get(day, {}))})
    return {
        "from": first.isoformat(),
        "to": (first + timedelta(days=days - 1)).isoformat(),
        "timezone": "UTC",
        "days": series,
        "totals": _figures(merged.get(None, {})),
    }
