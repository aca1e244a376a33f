"""Who hears of what: the matching subscribers of a new order, and the digests.

Each fan-out runs in one transaction that reads the recipients and writes one ``send``
job per recipient: re-run after a crash, it writes them again, and the delivery keys keep
each (event, user) to one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from srochno import clock
from srochno.config import Settings
from srochno.db import Connection
from srochno.enums import Frequency, OrderStatus
from srochno.jobs import DIGEST, Delivery, Job, deliver, enqueue
from srochno.notifications.texts import DIGEST_DESCRIPTION_LIMIT, DIGEST_LIMIT
from srochno.orders.rules import no_response_due_sql

ORDER = f"""
SELECT id, owner_id, category, city, city_key, description, take_price, expires_at
FROM orders WHERE id = $1 AND status = '{OrderStatus.active.value}'
"""
RECIPIENTS = f"""
SELECT id FROM users
WHERE notification_frequency = '{Frequency.instant.value}'
  AND $1 = ANY(subscribed_categories) AND $2 = ANY(subscribed_cities)
  AND id <> $3 AND NOT is_banned AND NOT bot_blocked
ORDER BY id
"""


async def fan_out_order(conn: Connection, order_id: str) -> int:
    """One message job per instant subscriber of the order's category and city."""
    async with conn.transaction():
        order = await conn.fetchrow(ORDER, order_id)
        if order is None:
            return 0
        users = await conn.fetch(
            RECIPIENTS, order["category"], order["city_key"], order["owner_id"]
        )
        data = {
            "order_id": order["id"],
            "category": order["category"],
            "city": order["city"],
            "description": order["description"],
            "price": order["take_price"],
            "expires_at": order["expires_at"].isoformat(),
        }
        await deliver(
            conn, [Delivery(f"created:{order_id}", u["id"], "order_created", data) for u in users]
        )
    return len(users)


# --- digests ---------------------------------------------------------------------------

PERIODS = {Frequency.hourly.value: timedelta(hours=1), Frequency.daily.value: timedelta(days=1)}
DIGEST_GRACE = {
    Frequency.hourly.value: timedelta(minutes=15),
    Frequency.daily.value: timedelta(hours=2),
}
"""A worker that starts this long after a period began still sends that period's digest;
later, it waits for the next period."""


@dataclass(frozen=True, slots=True)
class Period:
    frequency: str
    starts_at: datetime

    @property
    def key(self) -> str:
        return f"digest:{self.frequency}:{self.starts_at.isoformat()}"

    @property
    def since(self) -> datetime:
        return self.starts_at - PERIODS[self.frequency]


def current_period(frequency: str, now: datetime, settings: Settings) -> Period:
    """The digest period ``now`` is in: the hour (in ``TIMEZONE``), or the day that began at
    ``DIGEST_HOUR`` in ``TIMEZONE``."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    if frequency == Frequency.hourly:
        start = local.replace(minute=0, second=0, microsecond=0)
    else:
        start = datetime.combine(local.date(), time(settings.digest_hour), tzinfo=local.tzinfo)
        if start > local:
            start = datetime.combine(
                local.date() - timedelta(days=1), time(settings.digest_hour), tzinfo=local.tzinfo
            )
    return Period(frequency, start.astimezone(now.tzinfo))


CLAIM_RUN = (
    "INSERT INTO notification_runs (key, created_at) VALUES ($1, $2) "
    "ON CONFLICT DO NOTHING RETURNING key"
)


async def schedule_digest(conn: Connection, period: Period, now: datetime) -> bool:
    """Queue the period's digest once over every worker (True: this call queued it)."""
    async with conn.transaction():
        if await conn.fetchval(CLAIM_RUN, period.key, now) is None:
            return False
        await enqueue(conn, [digest_job(period, now)])
    return True


def digest_job(period: Period, now: datetime) -> Job:
    return Job(
        DIGEST,
        {
            "frequency": period.frequency,
            "starts_at": period.starts_at.isoformat(),
            "now": now.isoformat(),
        },
        dedupe_key=period.key,
    )


DIGEST_ROWS = f"""
SELECT u.id AS user_id, count(*) AS total,
       (array_agg(jsonb_build_object(
            'id', o.id, 'category', o.category, 'city', o.city,
            'description', left(o.description, {DIGEST_DESCRIPTION_LIMIT + 1}))
        ORDER BY o.created_at DESC))[1:{DIGEST_LIMIT}] AS orders
FROM users u
JOIN orders o ON o.category = ANY(u.subscribed_categories)
             AND o.city_key = ANY(u.subscribed_cities) AND o.owner_id <> u.id
WHERE u.notification_frequency = $1 AND NOT u.is_banned AND NOT u.bot_blocked
  AND o.status = '{OrderStatus.active.value}' AND o.expires_at > $2
  AND o.created_at >= $3 AND o.created_at <= $2
  AND NOT {no_response_due_sql("$4", "o")}
GROUP BY u.id
ORDER BY u.id
"""


async def fan_out_digest(
    conn: Connection, period: Period, now: datetime, settings: Settings
) -> int:
    """One digest job per subscriber of the frequency with matching orders still active
    (none when there are none); the delivery key is (period, user)."""
    import orjson

    async with conn.transaction():
        rows = await conn.fetch(
            DIGEST_ROWS, period.frequency, now, period.since, now - settings.no_response_timeout
        )
        deliveries = []
        for row in rows:
            orders = row["orders"]
            if isinstance(orders, list):
                orders = [orjson.loads(o) if isinstance(o, str) else o for o in orders]
            data = {"period": period.frequency, "orders": orders, "total": row["total"]}
            deliveries.append(Delivery(period.key, row["user_id"], "digest", data))
        await deliver(conn, deliveries)
    return len(deliveries)


def period_from_payload(payload: dict[str, str]) -> tuple[Period, datetime]:
    return (
        Period(payload["frequency"], datetime.fromisoformat(payload["starts_at"])),
        datetime.fromisoformat(payload["now"]),
    )


async def digest_now(conn: Connection, frequency: str, settings: Settings) -> int:
    """``srochno digest``: the current period's digest, queued now (once per user)."""
    now = clock.now()
    return await fan_out_digest(conn, current_period(frequency, now, settings), now, settings)
