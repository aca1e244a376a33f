"""Executors' work areas and duty: the profile, the on-duty switch and its end, who hears
of a located order (once each), and the bot taking a shared location as the work area."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from srochno import clock
from srochno.db import Database
from srochno.geo import Point, cell_centre, cell_of, public_distance_km
from srochno.notifications.fanout import fan_out_order
from srochno.notifications.texts import order_created
from tests.helpers import auth, create_order
from tests.telegram_updates import command, location, post_update

EXEC, OWNER = 700, 800
HOME = {"lat": 55.75, "lon": 37.62}


async def set_area(client, user_id: int, area: dict[str, Any] | None, **prefs: Any):
    body = {"categories": ["plumbing"], "cities": [], **prefs, "area": area}
    return await client.put("/api/users/me/preferences", json=body, headers=auth(user_id))


async def duty(client, user_id: int, **body: Any):
    return await client.put("/api/users/me/duty", json=body, headers=auth(user_id))


async def test_the_work_area_is_in_the_profile_and_stays_when_not_named(client):
    response = await set_area(client, EXEC, {**HOME, "radius_km": 7.5})
    assert response.status_code == 200
    assert response.json()["area"] == {**HOME, "radius_km": 7.5}
    assert response.json()["on_duty_until"] is None
    kept = await client.put(
        "/api/users/me/preferences", json={"cities": ["Москва"]}, headers=auth(EXEC)
    )
    assert kept.json()["area"] == {**HOME, "radius_km": 7.5}
    me = (await client.get("/api/users/me", headers=auth(EXEC))).json()
    assert me["area"] == {**HOME, "radius_km": 7.5}
    public = (await client.get(f"/api/users/{EXEC}")).json()
    assert "area" not in public
    assert "on_duty_until" not in public


@pytest.mark.parametrize(
    "area",
    [
        {**HOME, "radius_km": 0},
        {**HOME, "radius_km": 5e-324},  # the smallest float: its product underflowed (500)
        {**HOME, "radius_km": 0.09},
        {**HOME, "radius_km": -2},
        {**HOME, "radius_km": 501},
        {"lat": 91, "lon": 37.6, "radius_km": 5},
        {"lat": 55.7, "lon": 37.6},
        {"lat": "55.7", "lon": 37.6, "radius_km": 5},
        {**HOME, "radius_km": True},
    ],
)
async def test_bad_work_areas_are_422(client, area):
    response = await set_area(client, EXEC, area)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_a_radius_beyond_the_setting_is_kept_as_the_widest(client):
    response = await set_area(client, EXEC, {**HOME, "radius_km": 120})
    assert response.status_code == 200
    assert response.json()["area"]["radius_km"] == 50


async def test_duty_needs_a_work_area_ends_by_itself_and_ends_with_the_area(client):
    response = await duty(client, EXEC, on=True)
    assert response.status_code == 409
    assert response.json()["code"] == "work_area_required"
    await set_area(client, EXEC, {**HOME, "radius_km": 5})
    started = clock.now()
    response = await duty(client, EXEC, on=True)
    assert response.status_code == 200
    until = response.json()["on_duty_until"]
    assert until is not None
    from datetime import datetime

    assert datetime.fromisoformat(until) - started >= timedelta(hours=8)
    assert datetime.fromisoformat(until) - started < timedelta(hours=8, minutes=1)
    response = await duty(client, EXEC, on=True, hours=2)
    assert datetime.fromisoformat(response.json()["on_duty_until"]) - started < timedelta(
        hours=2, minutes=1
    )
    clock.advance(timedelta(hours=2, seconds=1))
    me = (await client.get("/api/users/me", headers=auth(EXEC))).json()
    assert me["on_duty_until"] is None
    await duty(client, EXEC, on=True)
    assert (await duty(client, EXEC, on=False)).json()["on_duty_until"] is None
    await duty(client, EXEC, on=True)
    removed = await set_area(client, EXEC, None)
    assert removed.json()["area"] is None
    assert removed.json()["on_duty_until"] is None


@pytest.mark.parametrize(
    "body", [{"on": "yes"}, {"on": 1}, {"on": True, "hours": 0}, {"on": True, "hours": 25}, {}]
)
async def test_bad_duty_requests_are_422(client, body):
    response = await duty(client, EXEC, **body)
    assert response.status_code == 422


async def add_executor(
    engine,
    user_id: int,
    *,
    area: tuple[float, float, float] | None,
    on_duty: bool = True,
    categories: tuple[str, ...] = ("plumbing",),
    cities: tuple[str, ...] = (),
    frequency: str = "instant",
) -> None:
    now = clock.now()
    lat, lon, radius = area if area is not None else (None, None, None)
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO users (id, first_name, subscribed_categories, subscribed_cities, "
                "notification_frequency, area_lat, area_lon, area_radius_km, on_duty_until, "
                "created_at, updated_at) VALUES (:id, 'E', :categories, :cities, :frequency, "
                ":lat, :lon, :radius, :until, :now, :now)"
            ),
            {
                "id": user_id,
                "categories": list(categories),
                "cities": list(cities),
                "frequency": frequency,
                "lat": lat,
                "lon": lon,
                "radius": radius,
                "until": now + timedelta(hours=1) if on_duty else None,
                "now": now,
            },
        )


async def deliveries_of(engine) -> dict[int, dict[str, Any]]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(text("SELECT payload FROM pgqueuer WHERE entrypoint = 'send'"))
        ).all()
    payloads = [orjson.loads(bytes(row.payload)) for row in rows]
    by_user: dict[int, dict[str, Any]] = {}
    for payload in payloads:
        assert payload["user"] not in by_user, "one message per executor"
        by_user[payload["user"]] = payload["data"]
    return by_user


async def test_a_located_order_reaches_on_duty_executors_whose_area_covers_it(client, engine, app):
    spot = {"lat": 55.7558, "lon": 37.6173}
    centre = cell_centre(cell_of(spot["lat"], spot["lon"]))
    await add_executor(engine, 1, area=(55.76, 37.62, 3))  # covers
    await add_executor(engine, 2, area=(55.70, 37.62, 3))  # 6 km away: does not
    await add_executor(engine, 3, area=(55.70, 37.62, 10))  # covers
    await add_executor(engine, 4, area=(55.76, 37.62, 3), on_duty=False)
    await add_executor(engine, 5, area=(55.76, 37.62, 3), categories=("electrical",))
    await add_executor(engine, 6, area=(55.76, 37.62, 3), categories=())  # every category
    await add_executor(engine, 7, area=(55.76, 37.62, 3), frequency="off")
    await add_executor(engine, 8, area=(55.76, 37.62, 3), frequency="daily")  # on duty: now
    # On duty in the area and subscribed to the city: one message.
    await add_executor(engine, 9, area=(55.76, 37.62, 3), cities=("москва",))
    await add_executor(engine, 10, area=None, on_duty=False, cities=("москва",))  # the city
    await add_executor(engine, OWNER, area=(55.76, 37.62, 3))  # their own order
    await add_executor(engine, 11, area=(55.76, 37.62, 3))
    await add_executor(engine, 12, area=(55.76, 37.62, 3), on_duty=False)
    async with engine.begin() as conn:  # 12's duty ended a minute ago
        await conn.execute(
            text("UPDATE users SET on_duty_until = :t WHERE id = 12"),
            {"t": clock.now() - timedelta(minutes=1)},
        )
    order = await create_order(client, OWNER, location=spot)
    db: Database = app.state.db
    async with db.transaction() as conn:
        sent = await fan_out_order(conn, order["id"])
    got = await deliveries_of(engine)
    assert sorted(got) == [1, 3, 6, 8, 9, 10, 11]
    assert sent == 7
    for data in got.values():
        assert "lat" not in orjson.dumps(data).decode().replace('"area":{"lat"', "")
        assert data["area"]["lat"] == round(centre.lat, 5)
    assert got[3]["distance_km"] == public_distance_km(Point(55.70, 37.62), order_cell(spot))
    assert "distance_km" not in got[10]
    text_ru = order_created("ru", got[3], clock.now()).text
    assert f"~{got[3]['distance_km']:g} км" in text_ru


def order_cell(spot: dict[str, float]) -> int:
    return cell_of(spot["lat"], spot["lon"])


async def test_coverage_is_decided_by_the_cell_not_the_point(client, engine, app):
    """Two orders of one cell reach exactly the same executors, wherever in the cell."""
    centre = cell_centre(cell_of(55.7558, 37.6173))
    # An area whose edge passes between the centre and the cell's corner.
    await add_executor(engine, 1, area=(centre.lat + 0.0135, centre.lon, 1.0))
    await add_executor(engine, 2, area=(centre.lat + 0.0135, centre.lon, 1.6))
    db: Database = app.state.db
    heard = []
    for n, dlat in enumerate((0.0049, -0.0049)):
        order = await create_order(
            client, OWNER + n, location={"lat": centre.lat + dlat, "lon": centre.lon}
        )
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM pgqueuer"))
        async with db.transaction() as conn:
            await fan_out_order(conn, order["id"])
        heard.append(sorted(await deliveries_of(engine)))
    assert heard[0] == heard[1] == [2]


async def test_the_bot_takes_a_shared_location_as_the_work_area(client, settings, bot_api, engine):
    response = await post_update(client, settings, command(EXEC, "/area"))
    assert response.status_code == 200
    (ask,) = bot_api.calls_of("sendMessage")
    (button,) = ask.params["reply_markup"]["keyboard"][0]
    assert button["request_location"] is True

    await post_update(client, settings, location(EXEC, 59.9343, 30.3351))
    me = (await client.get("/api/users/me", headers=auth(EXEC))).json()
    assert me["area"] == {
        "lat": 59.9343,
        "lon": 30.3351,
        "radius_km": settings.geo_default_radius_km,
    }
    saved = bot_api.calls_of("sendMessage")[-1]
    assert "10 км" in saved.params["text"]
    assert saved.params["reply_markup"] == {"remove_keyboard": True}
    # A radius chosen before is kept.
    await set_area(client, EXEC, {**HOME, "radius_km": 4})
    await post_update(client, settings, location(EXEC, 59.95, 30.31))
    me = (await client.get("/api/users/me", headers=auth(EXEC))).json()
    assert me["area"] == {"lat": 59.95, "lon": 30.31, "radius_km": 4}


@pytest.mark.parametrize(
    ("lat", "lon"),
    [(955.75, 37.61), (59.93, 180.5), (-90.01, 0.0), ("NaN", 30.0), (59.93, "Infinity")],
)
async def test_a_shared_location_that_is_no_point_on_earth_is_answered_and_ignored(
    client, settings, bot_api, engine, lat, lon
):
    """Telegram would deliver such an update again on every 5xx: it is answered 200, once,
    and the work area stays as it was."""
    await set_area(client, EXEC, HOME)
    before = (await client.get("/api/users/me", headers=auth(EXEC))).json()["area"]
    update = location(EXEC, lat, lon)
    for _ in range(2):
        response = await post_update(client, settings, update)
        assert response.status_code == 200, response.text
    me = (await client.get("/api/users/me", headers=auth(EXEC))).json()
    assert me["area"] == before
    assert bot_api.calls_of("sendMessage") == []


@given(
    lat=st.floats(min_value=-1e-5, max_value=1e-5, allow_subnormal=True),
    lon=st.sampled_from([0.0, 1e-300, -5e-324, 179.0, -180.0, 1e-7, 180.0]),
    radius=st.sampled_from([0.1, 0.100000001, 5.0, 500.0]),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
async def test_any_position_near_a_cell_edge_is_stored_rounded_and_fanned_out(
    client, app, lat, lon, radius
):
    """Coordinates are kept to a millionth of a degree: a tiny difference between an area's
    centre and a cell's (1e-300) never reaches the distance's arithmetic, which PostgreSQL
    refuses when a product underflows."""
    await set_area(client, EXEC, None)
    response = await set_area(client, EXEC, {"lat": lat, "lon": lon, "radius_km": radius})
    assert response.status_code == 200, response.text
    area = response.json()["area"]
    assert (area["lat"], area["lon"]) == (round(lat, 6) + 0.0, round(lon, 6) + 0.0)
    assert (await duty(client, EXEC, on=True)).status_code == 200
    order = await create_order(
        client, OWNER, location={"lat": -lat, "lon": -lon if abs(lon) < 180 else lon}
    )
    db: Database = app.state.db
    async with db.transaction() as conn:
        await fan_out_order(conn, order["id"])
