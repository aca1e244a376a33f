"""The client card of an order (``GET /api/orders/{id}/client``): what an executor may know of
the client before paying. It obeys the order's visibility rule, and it is coarse: it cannot
single out one profile among the public ones."""

from __future__ import annotations

from typing import Any

from fastapi.routing import APIRoute
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from srochno.orders.client import client_card
from tests.helpers import auth, create_order

OWNER, STRANGER = 720, 721


def order_reads(app) -> list[str]:
    """Every GET under one order: each must apply the order's visibility guard."""
    return sorted(
        route.path
        for route in app.routes
        if isinstance(route, APIRoute)
        and "GET" in route.methods
        and route.path.startswith("/api/orders/{order_id}")
    )


async def test_every_read_of_a_deleted_order_is_404_to_others(app, client):
    order = await create_order(client, OWNER)
    assert (await client.delete(f"/api/orders/{order['id']}", headers=auth(OWNER))).status_code in (
        200,
        204,
    )
    paths = order_reads(app)
    assert "/api/orders/{order_id}/client" in paths
    for path in paths:
        url = path.replace("{order_id}", order["id"])
        for headers in (auth(STRANGER), {}):
            response = await client.get(url, headers=headers)
            if response.status_code == 401:  # a read for the signed-in only
                continue
            assert response.status_code == 404, (path, response.text)
            assert response.json()["code"] == "order_not_found"
    response = await client.get(f"/api/orders/{order['id']}/client", headers=auth(STRANGER))
    assert response.status_code == 404


# The bands the card may show, written here independently of the code: the rating to the
# half star only from 5 reviews, complaints as none (0), some (1-2), many (3+).
def bands(rating_sum: int, reviews: int, complaints: int) -> tuple[Any, str]:
    rating = None if reviews < 5 else int(rating_sum / reviews * 2 + 0.5 + 1e-9) / 2
    complaint = "none" if complaints == 0 else "some" if complaints <= 2 else "many"
    return rating, complaint


@st.composite
def figures(draw: st.DrawFn) -> tuple[int, int, int]:
    reviews = draw(st.integers(0, 12) | st.integers(0, 10**6))
    rating_sum = draw(st.integers(reviews, 5 * reviews))
    complaints = draw(st.integers(0, 5) | st.integers(0, 10**6))
    return rating_sum, reviews, complaints


@given(figures(), figures(), st.booleans())
def test_the_card_is_a_function_of_the_bands_only(a, b, verified):
    """Clients whose exact figures differ within a band get the same card: the card cannot
    tell them apart, so it cannot single out one public profile among many."""
    card_a, card_b = client_card(*a, verified, 15), client_card(*b, verified, 15)
    if bands(*a) == bands(*b):
        assert card_a == card_b
    assert set(card_a) == {"rating", "complaints", "contact_verified", "refund_if_silent_minutes"}
    assert (card_a["rating"], card_a["complaints"]) == bands(*a)


@given(figures())
def test_a_band_holds_many_profiles(a):
    """Every card a client can get is shared by other figures: one more complaint within the
    band, or one more review of the same mean, leaves it unchanged."""
    rating_sum, reviews, complaints = a
    card = client_card(rating_sum, reviews, complaints, False, 15)
    if complaints in (1, 3) or complaints > 3:
        assert client_card(rating_sum, reviews, complaints + 1, False, 15) == card
    if reviews < 4:
        assert client_card(rating_sum + 5, reviews + 1, complaints, False, 15) == card
    if reviews >= 5:  # the same mean over twice the reviews
        assert client_card(2 * rating_sum, 2 * reviews, complaints, False, 15) == card


async def set_figures(engine, user_id: int, **figures: int) -> None:
    assignments = ", ".join(f"{column} = :{column}" for column in figures)
    async with engine.begin() as connection:
        await connection.execute(
            text(f"UPDATE users SET {assignments} WHERE id = :id"), {**figures, "id": user_id}
        )


async def test_clients_whose_figures_differ_within_a_band_get_the_same_card(client, engine):
    """The public profiles of two clients differ in every figure; their cards are equal."""
    first, second = OWNER + 10, OWNER + 11
    orders = [await create_order(client, owner) for owner in (first, second)]
    await set_figures(
        engine,
        first,
        rating_sum=43,
        reviews_count=10,
        complaints_count=1,
        completed_orders_count=12,
    )
    await set_figures(
        engine,
        second,
        rating_sum=89,
        reviews_count=20,
        complaints_count=2,
        completed_orders_count=30,
    )
    profiles = [
        (await client.get(f"/api/users/{owner}", headers=auth(STRANGER))).json()
        for owner in (first, second)
    ]
    keys = ("average_rating", "reviews_count", "complaints_count", "completed_orders_count")
    assert all(profiles[0][key] != profiles[1][key] for key in keys)
    cards = [
        (await client.get(f"/api/orders/{order['id']}/client", headers=auth(STRANGER))).json()
        for order in orders
    ]
    assert cards[0] == cards[1]
    assert cards[0]["rating"] == 4.5
    assert cards[0]["complaints"] == "some"
    for key in (*keys, "phone_verified"):
        assert key not in cards[0]


async def test_the_card_is_for_the_signed_in_only(client):
    order = await create_order(client, OWNER)
    response = await client.get(f"/api/orders/{order['id']}/client")
    assert response.status_code == 401
    assert (
        await client.get(f"/api/orders/{order['id']}/client", headers=auth(STRANGER))
    ).status_code == 200
