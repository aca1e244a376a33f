"""Clients rating executors and executors complaining about clients, through the HTTP API."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest

from srochno import clock
from srochno.orders.auto_close import close_due_orders
from tests.helpers import auth, create_order, recharge, scalar, take

OWNER, OTHER_OWNER, STRANGER = 100, 101, 150
EXEC1, EXEC2, EXEC3 = 201, 202, 203


async def taken_order(client: Any, *executors: int, owner: int = OWNER) -> dict[str, Any]:
    order = await create_order(client, owner)
    for executor in executors:
        await recharge(client, executor, 2)
        response = await take(client, order["id"], executor)
        assert response.status_code == 200, response.text
    return order


async def review(
    client: Any,
    order_id: str,
    executor_id: int,
    rating: int = 5,
    author: int = OWNER,
    **extra: Any,
) -> Any:
    body = {"order_id": order_id, "executor_id": executor_id, "rating": rating, **extra}
    return await client.post("/api/reviews/client", json=body, headers=auth(author))


async def complain(
    client: Any, order_id: str, author: int, reason: str = "no_response", **extra: Any
) -> Any:
    body = {"order_id": order_id, "reason": reason, **extra}
    return await client.post("/api/reviews/executor", json=body, headers=auth(author))


async def profile(client: Any, user_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/users/{user_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def reviews(client: Any, **params: Any) -> dict[str, Any]:
    response = await client.get("/api/reviews", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def error_code(response: Any) -> str:
    code: str = response.json()["code"]
    return code


# --- client reviews --------------------------------------------------------------------


async def test_review_is_created_and_shown(client):
    order = await taken_order(client, EXEC1)
    before = await profile(client, EXEC1)
    assert before["average_rating"] is None
    assert before["reviews_count"] == 0

    response = await review(client, order["id"], EXEC1, 4, comment="  Пришёл быстро  ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["order_id"] == order["id"]
    assert body["author_id"] == OWNER
    assert body["executor_id"] == EXEC1
    assert body["rating"] == 4
    assert body["comment"] == "Пришёл быстро"
    assert isinstance(body["id"], int)
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None

    after = await profile(client, EXEC1)
    assert after["average_rating"] == 4.0
    assert after["reviews_count"] == 1
    listed = await reviews(client)
    owner = (await client.get(f"/api/users/{OWNER}")).json()
    # Public items name neither the author nor the order: together they would name the
    # client of an order, whose Telegram account would bypass the paid contact.
    public = {k: v for k, v in body.items() if k not in ("order_id", "author_id")}
    public["author_name"] = owner["first_name"]
    assert listed == {"items": [public], "total": 1, "limit": 20, "offset": 0}
    assert set(listed["items"][0]) == {
        "id",
        "executor_id",
        "rating",
        "comment",
        "author_name",
        "created_at",
    }


async def test_comment_is_optional(client):
    order = await taken_order(client, EXEC1, EXEC2)
    first = await review(client, order["id"], EXEC1, 5)
    assert first.status_code == 201
    assert first.json()["comment"] is None
    blank = await review(client, order["id"], EXEC2, 5, comment="   ")
    assert blank.status_code == 201
    assert blank.json()["comment"] is None


async def test_average_rating_is_the_mean_rounded_to_two_decimals(client):
    ratings = [5, 4, 4]
    for rating in ratings:
        order = await taken_order(client, EXEC1)
        assert (await review(client, order["id"], EXEC1, rating)).status_code == 201
    shown = await profile(client, EXEC1)
    assert shown["reviews_count"] == 3
    assert shown["average_rating"] == 4.33
    me = await client.get("/api/users/me", headers=auth(EXEC1))
    assert me.json()["average_rating"] == 4.33


async def test_review_needs_the_owner(client):
    order = await taken_order(client, EXEC1, EXEC2)
    for author in (STRANGER, EXEC1, EXEC2):
        response = await review(client, order["id"], EXEC1, author=author)
        assert response.status_code == 403
        assert error_code(response) == "not_owner"
    assert (await profile(client, EXEC1))["reviews_count"] == 0
    assert (await reviews(client))["total"] == 0


async def test_review_needs_an_executor_who_took_the_order(client):
    order = await taken_order(client, EXEC1)
    other = await taken_order(client, EXEC2)
    for executor in (EXEC2, OWNER, 987_654):
        response = await review(client, order["id"], executor)
        assert response.status_code == 409
        assert error_code(response) == "executor_not_taker"
    assert (await profile(client, EXEC2))["reviews_count"] == 0
    assert (await review(client, other["id"], EXEC2)).status_code == 201


async def test_review_of_an_unknown_order_is_404(client):
    response = await review(client, "nosuchorder1", EXEC1)
    assert response.status_code == 404
    assert error_code(response) == "order_not_found"


@pytest.mark.parametrize(
    "change",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": "five"},
        {"comment": "x" * 1001},
        {"executor_id": 0},
        {"order_id": ""},
        {"order_id": "../etc"},
    ],
)
async def test_review_validation(client, change):
    order = await taken_order(client, EXEC1)
    body = {"order_id": order["id"], "executor_id": EXEC1, "rating": 5, **change}
    response = await client.post("/api/reviews/client", json=body, headers=auth(OWNER))
    assert response.status_code == 422
    assert error_code(response) == "validation_error"


async def test_review_needs_auth(client):
    order = await taken_order(client, EXEC1)
    response = await client.post(
        "/api/reviews/client", json={"order_id": order["id"], "executor_id": EXEC1, "rating": 5}
    )
    assert response.status_code == 401
    assert error_code(response) == "auth_missing"


async def test_one_review_per_order_author_and_executor(client):
    order = await taken_order(client, EXEC1, EXEC2)
    second_order = await taken_order(client, EXEC1)
    assert (await review(client, order["id"], EXEC1, 5)).status_code == 201
    again = await review(client, order["id"], EXEC1, 1, comment="передумал")
    assert again.status_code == 409
    assert error_code(again) == "already_reviewed"
    assert (await review(client, order["id"], EXEC2, 3)).status_code == 201
    assert (await review(client, second_order["id"], EXEC1, 3)).status_code == 201
    shown = await profile(client, EXEC1)
    assert shown["reviews_count"] == 2
    assert shown["average_rating"] == 4.0


async def test_racing_identical_reviews_store_one(client, engine):
    order = await taken_order(client, EXEC1)
    responses = await asyncio.gather(
        *(review(client, order["id"], EXEC1, 2 + n % 3) for n in range(5))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201, 409, 409, 409, 409], [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert error_code(response) == "already_reviewed"
    (created,) = [r.json() for r in responses if r.status_code == 201]
    shown = await profile(client, EXEC1)
    assert shown["reviews_count"] == 1
    assert shown["average_rating"] == float(created["rating"])
    assert await scalar(engine, "SELECT count(*) FROM reviews") == 1


async def test_review_window(client, override_settings):
    order = await taken_order(client, EXEC1, EXEC2)
    clock.advance(timedelta(days=7) - timedelta(seconds=1))
    assert (await review(client, order["id"], EXEC1)).status_code == 201
    clock.advance(timedelta(seconds=2))
    late = await review(client, order["id"], EXEC2)
    assert late.status_code == 409
    assert error_code(late) == "review_window_closed"
    assert (await profile(client, EXEC2))["reviews_count"] == 0

    override_settings(review_window_days=0.5 / 24)  # 30 minutes
    fresh = await taken_order(client, EXEC3)
    clock.advance(timedelta(minutes=31))
    response = await review(client, fresh["id"], EXEC3)
    assert response.status_code == 409
    assert error_code(response) == "review_window_closed"


@pytest.mark.parametrize("outcome", ["expired", "closed_no_response", "completed"])
async def test_closed_orders_can_be_reviewed_within_the_window(client, app, outcome):
    order = await taken_order(client, EXEC1)
    if outcome == "expired":
        response = await client.post(f"/api/orders/{order['id']}/respond", headers=auth(OWNER))
        assert response.status_code == 200
    elif outcome == "completed":
        response = await client.post(
            f"/api/orders/{order['id']}/complete", json={"executor_id": EXEC1}, headers=auth(OWNER)
        )
        assert response.status_code == 200
    clock.advance(timedelta(hours=2))
    await close_due_orders(app.state.db, app.state.settings)
    shown = await client.get(f"/api/orders/{order['id']}", headers=auth(OWNER))
    assert shown.json()["status"] == outcome
    assert (await review(client, order["id"], EXEC1, 3)).status_code == 201
    assert (await complain(client, order["id"], EXEC1)).status_code == 201


async def test_concurrent_reviews_of_one_executor_keep_an_exact_average(client, engine):
    count = 30
    await recharge(client, EXEC1, 2 * count)
    orders = []
    for n in range(count):
        order = await create_order(client, 1000 + n)
        assert (await take(client, order["id"], EXEC1)).status_code == 200
        orders.append(order)
    ratings = [1 + (n * 7) % 5 for n in range(count)]
    ratings[0] = 4  # an uneven total, so the mean is not a round number
    responses = await asyncio.gather(
        *(
            review(client, order["id"], EXEC1, rating, author=1000 + n)
            for n, (order, rating) in enumerate(zip(orders, ratings, strict=True))
        )
    )
    assert [r.status_code for r in responses] == [201] * count, [r.text for r in responses]
    shown = await profile(client, EXEC1)
    assert shown["reviews_count"] == count
    assert shown["average_rating"] == round(sum(ratings) / count, 2)
    assert abs(shown["average_rating"] - sum(ratings) / count) <= 0.005
    stored = await scalar(engine, "SELECT rating_sum FROM users WHERE id = :id", id=EXEC1)
    assert stored == sum(ratings)
    assert (await reviews(client, executor_id=EXEC1, limit=100))["total"] == count


# --- listing ---------------------------------------------------------------------------


async def test_list_filters_and_pages(client):
    plan = [(EXEC1, 5), (EXEC2, 4), (EXEC1, 3), (EXEC3, 5), (EXEC1, 5)]
    created = []
    for executor, rating in plan:
        order = await taken_order(client, executor)
        response = await review(client, order["id"], executor, rating)
        assert response.status_code == 201
        created.append(response.json())
    newest_first = [r["id"] for r in reversed(created)]

    everything = await reviews(client)
    assert [r["id"] for r in everything["items"]] == newest_first
    assert everything["total"] == 5

    fives = await reviews(client, rating=5)
    assert fives["total"] == 3
    assert {r["rating"] for r in fives["items"]} == {5}

    of_exec1 = await reviews(client, executor_id=EXEC1)
    assert of_exec1["total"] == 3
    assert [r["id"] for r in of_exec1["items"]] == [
        r["id"] for r in reversed(created) if r["executor_id"] == EXEC1
    ]

    both = await reviews(client, executor_id=EXEC1, rating=5)
    assert both["total"] == 2
    assert {(r["executor_id"], r["rating"]) for r in both["items"]} == {(EXEC1, 5)}

    page = await reviews(client, limit=2, offset=1)
    assert page["limit"] == 2
    assert page["offset"] == 1
    assert page["total"] == 5
    assert [r["id"] for r in page["items"]] == newest_first[1:3]

    beyond = await reviews(client, limit=2, offset=10)
    assert beyond["items"] == []
    assert beyond["total"] == 5

    nobody = await reviews(client, executor_id=999)
    assert nobody == {"items": [], "total": 0, "limit": 20, "offset": 0}


@pytest.mark.parametrize(
    "params",
    [
        {"rating": 0},
        {"rating": 6},
        {"rating": "x"},
        {"executor_id": 0},
        {"limit": 0},
        {"limit": 101},
        {"offset": -1},
    ],
)
async def test_list_validation(client, params):
    response = await client.get("/api/reviews", params=params)
    assert response.status_code == 422
    assert error_code(response) == "validation_error"


# --- complaints ------------------------------------------------------------------------


async def test_complaint_is_created_and_counted(client):
    order = await taken_order(client, EXEC1, EXEC2)
    assert (await profile(client, OWNER))["complaints_count"] == 0
    response = await complain(client, order["id"], EXEC1, "wrong_contact", comment="Не берут")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["order_id"] == order["id"]
    assert body["author_id"] == EXEC1
    assert body["client_id"] == OWNER
    assert body["reason"] == "wrong_contact"
    assert body["comment"] == "Не берут"
    assert (await profile(client, OWNER))["complaints_count"] == 1

    second = await complain(client, order["id"], EXEC2, "rude")
    assert second.status_code == 201
    assert second.json()["comment"] is None
    assert (await profile(client, OWNER))["complaints_count"] == 2
    assert (await profile(client, EXEC1))["complaints_count"] == 0


@pytest.mark.parametrize("reason", ["no_response", "fake_order", "wrong_contact", "rude", "other"])
async def test_every_listed_reason_is_accepted(client, reason):
    order = await taken_order(client, EXEC1)
    response = await complain(client, order["id"], EXEC1, reason)
    assert response.status_code == 201
    assert response.json()["reason"] == reason


@pytest.mark.parametrize("reason", ["spam", "", "NO_RESPONSE", None, 1])
async def test_unknown_reason_is_422(client, reason):
    order = await taken_order(client, EXEC1)
    response = await complain(client, order["id"], EXEC1, reason)
    assert response.status_code == 422
    assert error_code(response) == "validation_error"
    assert (await profile(client, OWNER))["complaints_count"] == 0


async def test_complaint_without_reason_is_422(client):
    order = await taken_order(client, EXEC1)
    response = await client.post(
        "/api/reviews/executor", json={"order_id": order["id"]}, headers=auth(EXEC1)
    )
    assert response.status_code == 422


async def test_complaint_needs_a_taker(client):
    order = await taken_order(client, EXEC1)
    await recharge(client, EXEC2, 5)
    for author in (EXEC2, STRANGER, OWNER):
        response = await complain(client, order["id"], author)
        assert response.status_code == 403
        assert error_code(response) == "not_a_taker"
    assert (await profile(client, OWNER))["complaints_count"] == 0


async def test_complaint_about_an_unknown_order_is_404(client):
    response = await complain(client, "nosuchorder1", EXEC1)
    assert response.status_code == 404
    assert error_code(response) == "order_not_found"


async def test_one_complaint_per_order_and_author(client):
    order = await taken_order(client, EXEC1)
    other = await taken_order(client, EXEC1, owner=OTHER_OWNER)
    assert (await complain(client, order["id"], EXEC1, "rude")).status_code == 201
    again = await complain(client, order["id"], EXEC1, "other")
    assert again.status_code == 409
    assert error_code(again) == "already_complained"
    assert (await complain(client, other["id"], EXEC1, "rude")).status_code == 201
    assert (await profile(client, OWNER))["complaints_count"] == 1
    assert (await profile(client, OTHER_OWNER))["complaints_count"] == 1


async def test_racing_identical_complaints_store_one(client, engine):
    order = await taken_order(client, EXEC1)
    responses = await asyncio.gather(*(complain(client, order["id"], EXEC1) for _ in range(5)))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    assert {error_code(r) for r in responses if r.status_code == 409} == {"already_complained"}
    assert (await profile(client, OWNER))["complaints_count"] == 1
    assert await scalar(engine, "SELECT count(*) FROM complaints") == 1
