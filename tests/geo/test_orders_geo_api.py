"""Located orders through the HTTP API: the point and the address only for the owner and
the takers, the coarse area for everybody, and the near feed."""

from __future__ import annotations

import pytest

from srochno.geo import Point, area_view, cell_centre, cell_of, public_distance_km
from tests.helpers import ORDER, auth, create_order, recharge, scalar, take

OWNER, EXEC, OTHER = 300, 401, 402
RED_SQUARE = {"lat": 55.75393, "lon": 37.62079}
ADDRESS = "Никольская ул., д. 10, подъезд 2, этаж 5, кв. 48, домофон 48К1234"


async def test_the_point_and_the_address_are_private_like_the_contact(client, engine):
    order = await create_order(client, OWNER, location=RED_SQUARE, address=ADDRESS)
    assert order["location"] == RED_SQUARE
    assert order["address"] == ADDRESS
    area = area_view(cell_of(RED_SQUARE["lat"], RED_SQUARE["lon"]))
    assert order["area"] == area

    anonymous = (await client.get(f"/api/orders/{order['id']}")).json()
    other = (await client.get(f"/api/orders/{order['id']}", headers=auth(OTHER))).json()
    listed = (await client.get("/api/orders", params={"city": "Москва"})).json()["items"][0]
    for view in (anonymous, other, listed):
        assert view["location"] is None
        assert view["address"] is None
        assert view["contact"] is None
        assert view["area"] == area
        assert view["distance_km"] is None

    await recharge(client, EXEC, 10)
    taken = (await take(client, order["id"], EXEC)).json()["order"]
    assert taken["location"] == RED_SQUARE
    assert taken["address"] == ADDRESS
    again = (await client.get(f"/api/orders/{order['id']}", headers=auth(EXEC))).json()
    assert again["location"] == RED_SQUARE
    assert again["address"] == ADDRESS
    # The live feed's log never held the point or the address.
    payload = await scalar(
        engine,
        "SELECT payload::text FROM order_events WHERE order_id = :id AND kind = 'order_created'",
        id=order["id"],
    )
    assert "lat" not in payload.replace('"cell"', "")
    assert "Никольская" not in payload


async def test_an_order_without_a_location_has_no_area(client):
    order = await create_order(client, OWNER)
    assert order["location"] is None
    assert order["area"] is None


@pytest.mark.parametrize(
    "fields",
    [
        {"location": {"lat": 90.5, "lon": 37.6}},
        {"location": {"lat": 55.7, "lon": -180.1}},
        {"location": {"lat": "55.7", "lon": 37.6}},
        {"location": {"lat": 55.7}},
        {"location": {"lat": 55.7, "lon": 37.6, "alt": 3}},
        {"location": RED_SQUARE, "address": "x" * 201},
        {"location": RED_SQUARE, "address": "\u200b \u200b"},
    ],
)
async def test_bad_locations_are_422(client, fields):
    response = await client.post("/api/orders", json={**ORDER, **fields}, headers=auth(OWNER))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize("number", ["1e400", "NaN", "Infinity", "-1e400"])
async def test_numbers_out_of_range_are_422(client, number):
    import json

    body = json.dumps({**ORDER, "location": {"lat": 0, "lon": 37.6}}).replace(
        '"lat": 0', f'"lat": {number}'
    )
    response = await client.post(
        "/api/orders",
        content=body,
        headers={**auth(OWNER), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_an_address_is_contact_checked_alone_and_with_the_description(client):
    response = await client.post(
        "/api/orders",
        json={**ORDER, "location": RED_SQUARE, "address": "Никольская 10, звоните +7 999 1234567"},
        headers=auth(OWNER),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "contact_in_description"
    assert response.json()["field"] == "address"
    split = {
        **ORDER,
        "description": "Прорвало трубу под раковиной, номер для связи +7 999 12",
        "location": RED_SQUARE,
        "address": "34 567 Никольская",
    }
    response = await client.post("/api/orders", json=split, headers=auth(OWNER))
    assert response.status_code == 422
    assert response.json()["code"] == "contact_in_description"


async def test_the_owner_edits_the_address_and_it_stays_private(client):
    located = await create_order(client, OWNER, location=RED_SQUARE)
    response = await client.put(
        f"/api/orders/{located['id']}", json={"address": ADDRESS}, headers=auth(OWNER)
    )
    assert response.status_code == 200
    assert response.json()["address"] == ADDRESS
    plain = await create_order(client, OWNER + 1, address=ADDRESS)
    assert plain["address"] == ADDRESS
    assert plain["area"] is None
    public = (await client.get(f"/api/orders/{plain['id']}", headers=auth(OTHER))).json()
    assert public["address"] is None


def offset(point: dict[str, float], north_km: float, east_km: float) -> dict[str, float]:
    import math

    return {
        "lat": point["lat"] + north_km / 111.195,
        "lon": point["lon"] + east_km / (111.195 * math.cos(math.radians(point["lat"]))),
    }


async def test_the_near_feed_lists_located_orders_within_the_radius_nearest_first(client):
    here = RED_SQUARE
    spots = {"2km": offset(here, 2, 0), "6km": offset(here, 0, -6), "30km": offset(here, 30, 0)}
    ids = {}
    for n, (name, point) in enumerate(spots.items()):
        ids[name] = (await create_order(client, OWNER + n, location=point))["id"]
    ids["electric"] = (
        await create_order(client, OWNER + 5, location=offset(here, 1, 1), category="electrical")
    )["id"]
    await create_order(client, OWNER + 6)  # no location: listed by city only

    near = f"{here['lat']},{here['lon']}"
    body = (await client.get("/api/orders", params={"near": near, "radius_km": 10})).json()
    assert [item["id"] for item in body["items"]] == [ids["electric"], ids["2km"], ids["6km"]]
    assert body["total"] == 3
    viewer = Point(here["lat"], here["lon"])
    for item in body["items"]:
        cell = cell_of(item["area"]["lat"], item["area"]["lon"])
        assert item["distance_km"] == public_distance_km(viewer, cell)
        assert item["location"] is None
    assert abs(body["items"][1]["distance_km"] - 2) <= 1

    plumbing = await client.get(
        "/api/orders", params={"near": near, "radius_km": 50, "category": "plumbing"}
    )
    assert [item["id"] for item in plumbing.json()["items"]] == [
        ids["2km"],
        ids["6km"],
        ids["30km"],
    ]
    # The default radius (10 km) when none is given.
    default = await client.get("/api/orders", params={"near": near})
    assert default.json()["total"] == 3


async def test_pages_of_equal_distances_neither_skip_nor_repeat(client):
    centre = cell_centre(cell_of(RED_SQUARE["lat"], RED_SQUARE["lon"]))
    created = set()
    for n in range(7):
        point = {"lat": centre.lat + (n - 3) * 0.001, "lon": centre.lon + (n - 3) * 0.0015}
        created.add((await create_order(client, 500 + n, location=point))["id"])
    for n in range(3):
        created.add(
            (await create_order(client, 600 + n, location=offset(RED_SQUARE, 1.2, 0)))["id"]
        )
    near = f"{centre.lat},{centre.lon}"
    seen: list[str] = []
    distances: list[float] = []
    cursor = None
    while True:
        params = {"near": near, "radius_km": 3, "limit": 3}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/api/orders", params=params)).json()
        assert body["total"] == 10
        seen += [item["id"] for item in body["items"]]
        distances += [item["distance_km"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))
    assert distances == sorted(distances)
    assert distances[:7] == [0.0] * 7
    by_offset = []
    for start in range(0, 10, 4):
        params = {"near": near, "radius_km": 3, "limit": 4, "offset": start}
        by_offset += [
            i["id"] for i in (await client.get("/api/orders", params=params)).json()["items"]
        ]
    assert by_offset == seen


@pytest.mark.parametrize(
    "params",
    [
        {"near": "abc"},
        {"near": ""},
        {"near": "55.7"},
        {"near": "55.7,37.6,1"},
        {"near": "91,37.6"},
        {"near": "55.7,181"},
        {"near": "nan,37.6"},
        {"near": "inf,37.6"},
        {"near": "1e3,37.6"},
    ],
)
async def test_bad_near_feeds_are_422_invalid_near(client, params):
    response = await client.get("/api/orders", params=params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_near"


@pytest.mark.parametrize("radius", [0, -1, "nan", "inf", "x"])
async def test_bad_radii_are_422(client, radius):
    response = await client.get("/api/orders", params={"near": "55.7,37.6", "radius_km": radius})
    assert response.status_code == 422


async def test_a_radius_beyond_the_widest_is_read_as_the_widest(client):
    here = {"lat": 55.75, "lon": 37.62}
    far = await create_order(client, OWNER, location=offset(here, 49, 0))
    near = f"{here['lat']},{here['lon']}"
    wide = (await client.get("/api/orders", params={"near": near, "radius_km": 500})).json()
    assert [item["id"] for item in wide["items"]] == [far["id"]]
    widest = (await client.get("/api/orders", params={"near": near, "radius_km": 50})).json()
    assert widest["total"] == wide["total"] == 1


async def test_radius_and_cursor_without_near_leave_the_city_list_as_it_was(client):
    order = await create_order(client, OWNER, location=RED_SQUARE)
    plain = (await client.get("/api/orders")).json()
    extra = (await client.get("/api/orders", params={"radius_km": 5, "cursor": "1.x"})).json()
    assert [i["id"] for i in plain["items"]] == [i["id"] for i in extra["items"]] == [order["id"]]
    assert "next_cursor" not in extra


@pytest.mark.parametrize("cursor", ["", "x", "1.", ".abc", "1.a b", "1.abc.d", "1234567890123.a"])
@pytest.mark.parametrize("near", [{"near": "55.7,37.6"}, {}])
async def test_bad_cursors_are_422_invalid_cursor(client, cursor, near):
    response = await client.get("/api/orders", params={**near, "cursor": cursor})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"
