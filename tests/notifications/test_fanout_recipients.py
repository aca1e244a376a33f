"""The fan-out's recipients are exactly what the rules say, whatever the executors.

The fan-out reads two tables that triggers on ``users`` keep (``instant_subscribers`` and
``duty_areas``, whose boxes are moved by the category's slot). Hypothesis draws executors
— categories (none, repeated), cities, frequency, ban, block, a work area near the order or
none, duty ended, running or never — inserts them in one state and moves them to another
with plain statements (so the triggers' insert and update paths both run), and holds the
recipients of a located and of an unlocated order equal to a plain computation over the
drawn values: no index, no box, the great circle itself.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from srochno import clock
from srochno.geo import Point, cell_centre, cell_of, distance_km
from srochno.notifications.fanout import RECIPIENTS, RECIPIENTS_NEAR
from tests.testrun import plain_url

CATEGORIES = ("plumbing", "electrical", "locksmith")
CITIES = ("москва", "тверь")
FIRST_ID = 5_000


@dataclass(frozen=True)
class State:
    categories: list[str]
    cities: list[str]
    frequency: str
    banned: bool
    blocked: bool
    area: tuple[float, float, float] | None  # (dlat, dlon, radius_km) from the order
    duty: str  # "never", "ended" or "on"


# Offsets from the order's cell: none, or at least a nanodegree (a difference of 1e-300°
# from a centre at exactly 0° makes PostgreSQL's float arithmetic raise "underflow").
offsets = st.floats(-0.4, 0.4).filter(lambda x: x == 0 or abs(x) >= 1e-9)
states = st.builds(
    State,
    categories=st.lists(st.sampled_from(CATEGORIES), max_size=4),
    cities=st.lists(st.sampled_from(CITIES), max_size=3),
    frequency=st.sampled_from(("instant", "hourly", "daily", "off")),
    banned=st.booleans(),
    blocked=st.booleans(),
    area=st.none() | st.tuples(offsets, offsets.map(lambda x: x * 1.5), st.floats(0.5, 50)),
    duty=st.sampled_from(("never", "ended", "on")),
)
# An executor as first inserted and as finally left (None: never changed).
executors = st.lists(st.tuples(states, st.none() | states), min_size=1, max_size=12)
orders = st.tuples(
    st.sampled_from(CATEGORIES),
    st.sampled_from(CITIES),
    st.floats(-60, 60),  # latitude
    st.floats(-170, 170),  # longitude
    st.integers(0, 12),  # the owner: an executor's index, or 12 and over: nobody here
)

COLUMNS = (
    "subscribed_categories = $2, subscribed_cities = $3, notification_frequency = $4, "
    "is_banned = $5, bot_blocked = $6, area_lat = $7, area_lon = $8, area_radius_km = $9, "
    "on_duty_until = $10"
)
INSERT = (
    "INSERT INTO users (id, subscribed_categories, subscribed_cities, notification_frequency, "
    "is_banned, bot_blocked, area_lat, area_lon, area_radius_km, on_duty_until, created_at, "
    "updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), now())"
)
UPDATE = f"UPDATE users SET {COLUMNS} WHERE id = $1"


def row(user_id: int, state: State, centre: Point, now: datetime) -> tuple[Any, ...]:
    lat = lon = radius = None
    if state.area is not None:
        dlat, dlon, radius = state.area
        lat, lon = centre.lat + dlat, centre.lon + dlon
    until = {"never": None, "ended": now - timedelta(minutes=1), "on": now + timedelta(hours=1)}
    return (
        user_id,
        state.categories,
        state.cities,
        state.frequency,
        state.banned,
        state.blocked,
        lat,
        lon,
        radius,
        until[state.duty],
    )


def expected(
    user_id: int, state: State, category: str, city: str, centre: Point | None
) -> tuple[int, float | None, float | None] | None:
    """The plain rules: on duty near a located order (any frequency but off), else an
    instant subscriber of the category and the city; never banned or blocked."""
    if state.banned or state.blocked:
        return None
    if (
        centre is not None
        and state.area is not None
        and state.duty == "on"
        and state.frequency != "off"
        and (category in state.categories or not state.categories)
    ):
        dlat, dlon, radius = state.area
        area = Point(centre.lat + dlat, centre.lon + dlon)
        km = distance_km(area, centre)
        assume(abs(km - radius) > 1e-6)  # SQL's and Python's last bits may differ
        if km <= radius:
            return (user_id, area.lat, area.lon)
    if state.frequency == "instant" and category in state.categories and city in state.cities:
        return (user_id, None, None)
    return None


async def recipients(
    url: str,
    drawn: list[tuple[State, State | None]],
    order: tuple[str, str, float, float, int],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], Point]:
    category, city, lat, lon, owner_index = order
    centre = cell_centre(cell_of(lat, lon))
    owner = FIRST_ID + owner_index
    now = clock.now()
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            for n, (first, _) in enumerate(drawn):
                await conn.execute(INSERT, *row(FIRST_ID + n, first, centre, now))
            for n, (_, last) in enumerate(drawn):
                if last is not None:
                    await conn.execute(UPDATE, *row(FIRST_ID + n, last, centre, now))
            near = await conn.fetch(
                RECIPIENTS_NEAR, category, city, owner, now, centre.lat, centre.lon
            )
            plain = await conn.fetch(RECIPIENTS, category, city, owner)
            # Left as they were: nothing of this example stays for the next.
            raise _RolledBack([tuple(r) for r in near], [tuple(r) for r in plain], centre)
    except _RolledBack as done:
        return done.near, done.plain, done.centre
    finally:
        await conn.close()


class _RolledBack(Exception):
    def __init__(self, near: list[Any], plain: list[Any], centre: Point) -> None:
        self.near, self.plain, self.centre = near, plain, centre


@given(drawn=executors, order=orders)
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_recipients_are_the_plain_rules(database_url, drawn, order):
    category, city, _, _, owner_index = order
    near, plain, centre = asyncio.run(recipients(plain_url(database_url), drawn, order))
    final = [(FIRST_ID + n, last or first) for n, (first, last) in enumerate(drawn)]
    others = [(user_id, s) for n, (user_id, s) in enumerate(final) if n != owner_index]
    want_near = [e for u, s in others if (e := expected(u, s, category, city, centre))]
    want_plain = [e for u, s in others if (e := expected(u, s, category, city, None))]
    assert near == sorted(want_near)
    assert plain == sorted(want_plain)
