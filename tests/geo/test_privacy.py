"""The exact point of an order cannot be recovered from anything public.

The property: two orders whose points lie anywhere in one grid cell (and that are alike
otherwise) give **identical** public answers — the order read by a stranger, the city list,
the near feed asked from any chosen positions with any radii (membership and
``distance_km``), the live feed's event, and the notifications to on-duty executors whose
areas the attacker chose (who hears, and what they are told). Whatever an attacker does
with these answers — averaging many reads, trilateration from ``distance_km`` measured at
chosen positions, binary search on the radius or on a work area's edge — the result is a
function of the cell, so it cannot tell two points of the cell apart: the error stays
about the cell's size for some point of it.

Hypothesis draws the cells, the points in them, the positions asked from and the radii;
the app runs on an event loop of its own thread (Hypothesis tests are synchronous).
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any, TypeVar

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from srochno import clock
from srochno.app import create_app
from srochno.config import Settings
from srochno.db import Database
from srochno.events.presenter import listed_order
from srochno.geo import Point, cell_bounds, cell_centre, cell_of, distance_km, public_distance_km
from srochno.notifications.fanout import fan_out_order
from srochno.notifications.texts import order_created
from tests.conftest import make_settings
from tests.helpers import ORDER, auth

T = TypeVar("T")
# Fields that differ between any two orders whatever their places.
PER_ORDER = {"id", "created_at", "expires_at", "server_time", "minutes_left", "seconds_left"}
STRANGER = 999_999
_ids = itertools.count(10_000)


class Runner:
    """The app and an HTTP client on an event loop owned by a background thread."""

    def __init__(self, app_settings: Settings) -> None:
        self.settings = app_settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="privacy-loop")
        self.thread.start()
        self.app = create_app(app_settings, run_jobs=False)
        self.stack = AsyncExitStack()
        self.client: httpx.AsyncClient
        self.run(self._start())

    async def _start(self) -> None:
        await self.stack.enter_async_context(self.app.router.lifespan_context(self.app))
        transport = httpx.ASGITransport(app=self.app)
        self.client = await self.stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://srochno.test")
        )

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)

    def close(self) -> None:
        try:
            self.run(self.stack.aclose())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join()
            self.loop.close()


@pytest.fixture
def runner(database_url: str) -> Iterator[Runner]:
    app_runner = Runner(make_settings(database_url))
    try:
        yield app_runner
    finally:
        app_runner.close()


@st.composite
def two_points_of_a_cell(draw: st.DrawFn) -> tuple[int, Point, Point]:
    city = draw(st.sampled_from([(55.55, 55.95, 37.35, 37.85), (59.8, 60.05, 30.15, 30.5)]))
    lat = draw(st.floats(city[0], city[1]))
    lon = draw(st.floats(city[2], city[3]))
    cell = cell_of(lat, lon)
    south, west, north, east = cell_bounds(cell)
    inside = st.floats(0.001, 0.999)
    points = []
    for _ in range(2):
        fy, fx = draw(inside), draw(inside)
        points.append(Point(south + fy * (north - south), west + fx * (east - west)))
    return cell, points[0], points[1]


offsets = st.tuples(st.floats(-0.08, 0.08), st.floats(-0.12, 0.12))  # about ±9 km
radii = st.sampled_from([0.5, 1, 1.5, 2, 3, 5, 8, 12])
viewers = st.lists(st.tuples(offsets, radii), min_size=2, max_size=6)


def public(view: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in view.items() if key not in PER_ORDER}


async def public_answers(
    runner: Runner,
    order_id: str,
    asked: list[tuple[Point, float]],
    executors: list[int],
) -> dict[str, Any]:
    client = runner.client
    answers: dict[str, Any] = {}
    anonymous = (await client.get(f"/api/orders/{order_id}")).json()
    stranger = (await client.get(f"/api/orders/{order_id}", headers=auth(STRANGER))).json()
    assert anonymous["location"] is None
    assert anonymous["address"] is None
    answers["get"] = public(anonymous)
    answers["get_signed_in"] = public(stranger)
    listed = (await client.get("/api/orders", params={"city": ORDER["city"], "limit": 100})).json()
    answers["list"] = [public(item) for item in listed["items"] if item["id"] == order_id]
    near = []
    for viewer, radius in asked:
        params = {"near": f"{viewer.lat},{viewer.lon}", "radius_km": radius, "limit": 100}
        body = (await client.get("/api/orders", params=params)).json()
        mine = [public(item) for item in body["items"] if item["id"] == order_id]
        near.append(mine)
    answers["near"] = near
    db: Database = runner.app.state.db
    async with db.connection() as conn:
        payload = await conn.fetchval(
            "SELECT payload::text FROM order_events WHERE order_id = $1 AND kind = 'order_created'",
            order_id,
        )
        answers["stream"] = public(
            orjson.loads(listed_order(payload, clock.now(), runner.settings.no_response_timeout))
        )
        await conn.execute("DELETE FROM pgqueuer")
    async with db.transaction() as conn:
        await fan_out_order(conn, order_id)
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT payload FROM pgqueuer WHERE entrypoint = 'send'")
    told = {}
    for row in rows:
        job = orjson.loads(bytes(row["payload"]))
        data = {
            key: value
            for key, value in job["data"].items()
            if key not in {"order_id", "expires_at"}
        }
        text_ru = order_created(
            "ru", {**job["data"], "expires_at": clock.now().isoformat()}, clock.now()
        )
        told[job["user"]] = (data, text_ru.text)
    answers["notified"] = {user: told[user] for user in sorted(told) if user in executors}
    return answers


async def add_on_duty(runner: Runner, user_id: int, centre: Point, radius: float) -> None:
    db: Database = runner.app.state.db
    now = clock.now()
    async with db.transaction() as conn:
        await conn.execute(
            "INSERT INTO users (id, first_name, subscribed_categories, area_lat, area_lon, "
            "area_radius_km, on_duty_until, created_at, updated_at) "
            "VALUES ($1, 'E', '{plumbing}', $2, $3, $4, $5, $6, $6)",
            user_id,
            centre.lat,
            centre.lon,
            radius,
            now + timedelta(hours=1),
            now,
        )


@given(cell_and_points=two_points_of_a_cell(), asked=viewers)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
def test_no_public_answer_tells_two_points_of_a_cell_apart(runner, cell_and_points, asked):
    cell, p, q = cell_and_points
    centre = cell_centre(cell)
    chosen = [(Point(centre.lat + dy, centre.lon + dx), r) for (dy, dx), r in asked]
    # The attacker's executors: on duty with work areas of their choosing.
    executors = []
    for viewer, radius in chosen:
        executor = next(_ids)
        runner.run(add_on_duty(runner, executor, viewer, radius))
        executors.append(executor)

    answers = []
    for point in (p, q):
        body = {**ORDER, "location": {"lat": point.lat, "lon": point.lon}, "address": "Дом 5"}
        response = runner.run(
            runner.client.post("/api/orders", json=body, headers=auth(next(_ids)))
        )
        assert response.status_code == 201, response.text
        answers.append(runner.run(public_answers(runner, response.json()["id"], chosen, executors)))
        # The next order is alone in the city list and the feed as this one was.
        runner.run(
            runner.client.delete(
                f"/api/orders/{response.json()['id']}", headers=response.request.headers
            )
        )
    assert answers[0] == answers[1]
    # And what is shown is the cell: its centre, distances from the centre.
    assert answers[0]["get"]["area"]["lat"] == round(centre.lat, 5)
    for (viewer, radius), found in zip(chosen, answers[0]["near"], strict=True):
        inside = distance_km(viewer, centre) <= radius
        assert bool(found) == inside
        if found:
            assert found[0]["distance_km"] == public_distance_km(viewer, cell)
