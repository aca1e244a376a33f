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
from srochno.geo import (
    Point,
    area_view,
    cell_centre,
    haversine_sql,
    public_distance_km,
)
from srochno.jobs import DIGEST, Delivery, Job, deliver, enqueue
from srochno.notifications.texts import DIGEST_DESCRIPTION_LIMIT, DIGEST_LIMIT
from srochno.orders.rules import no_response_due_sql

ORDER = f"""
SELECT id, owner_id, category, city, city_key, description, take_price, expires_at, cell
FROM orders WHERE id = $1 AND status = '{OrderStatus.active.value}'
"""
ALL_CATEGORIES = "*"
"""The category key of an on-duty area of an executor who chose no category."""
# Instant subscribers of the order's category ($1) and city ($2), never its owner ($3).
# ``instant_subscribers`` holds only users who can be written to and want news at once
# (the triggers on ``users`` keep it): an index-only scan of its primary key.
CITY_SUBSCRIBERS = """
SELECT user_id AS id, NULL::float8 AS area_lat, NULL::float8 AS area_lon
FROM instant_subscribers
WHERE category = $1::text AND city_key = $2::text AND user_id <> $3
"""
RECIPIENTS = f"{CITY_SUBSCRIBERS}ORDER BY user_id\n"
# A located order, besides: executors on duty ($4 now) whose work area covers the centre of
# the order's cell ($5 latitude, $6 longitude; never its exact point), of its category or
# of every category (none chosen), whatever their digest frequency unless it is off. Each
# of the two keys is one index-only scan of ``ix_duty_areas_reach``: the point moved by the
# key's slot, as the areas' boxes were (``srochno_category_shift``), then the exact circle.
ON_DUTY = f"""
SELECT d.user_id AS id, d.area_lat, d.area_lon
FROM (VALUES ($1::text), ('{ALL_CATEGORIES}')) AS k (category)
CROSS JOIN LATERAL (
    SELECT user_id, area_lat, area_lon FROM duty_areas
    WHERE reach @> box(point($6::float8, $5::float8), point($6::float8, $5::float8))
                   + srochno_category_shift(k.category)
      AND category = k.category AND on_duty_until > $4
      AND {haversine_sql("area_lat", "area_lon", "$5", "$6")} <= area_radius_km
      AND user_id <> $3
) AS d
"""
RECIPIENTS_NEAR = f"""
SELECT DISTINCT ON (id) id, area_lat, area_lon FROM (
    {ON_DUTY}
    UNION ALL
    {CITY_SUBSCRIBERS}
) AS recipients
ORDER BY id, area_lat NULLS LAST
"""


async def fan_out_order(conn: Connection, order_id: str) -> int:
    """One message job per instant subscriber of the order's category and city and, for a
    located order, per executor on duty whose work area covers it (once per executor)."""
    async with conn.transaction():
        order = await conn.fetchrow(ORDER, order_id)
        if order is None:
            return 0
        cell: int | None = order["cell"]
        args = [order["category"], order["city_key"], order["owner_id"]]
        if cell is None:
            users = await conn.fetch(RECIPIENTS, *args)
        else:
            centre = cell_centre(cell)
            users = await conn.fetch(RECIPIENTS_NEAR, *args, clock.now(), centre.lat, centre.lon)
        data = {
            "order_id": order["id"],
            "category": order["category"],
            "city": order["city"],
            "description": order["description"],
            "price": order["take_price"],
            "expires_at": order["expires_at"].isoformat(),
            "area": area_view(cell) if cell is not None else None,
        }
        deliveries = []
        for user in users:
            mine = data
            if cell is not None and user["area_lat"] is not None:
                area = Point(user["area_lat"], user["area_lon"])
                mine = {**data, "distance_km": public_distance_km(area, cell)}
            deliveries.append(Delivery(f"created:{order_id}", user["id"], "order_created", mine))
        await deliver(conn, deliveries)
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
            if settings.telegram_app_link:  # each listed order opens in the Mini App
                data["app_link"] = settings.telegram_app_link
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
