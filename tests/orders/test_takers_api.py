"""The owner's list of takers: what completing and rating pick an executor from."""

from __future__ import annotations

from tests.helpers import auth, create_order, recharge, take

OWNER, EXEC1, EXEC2, STRANGER = 400, 401, 402, 403


async def test_owner_sees_takers_in_order_with_their_rating(client):
    order = await create_order(client, OWNER)
    for executor in (EXEC1, EXEC2):
        await recharge(client, executor, 10)
        assert (await take(client, order["id"], executor)).status_code == 200
    await client.post(
        f"/api/orders/{order['id']}/complete", json={"executor_id": EXEC1}, headers=auth(OWNER)
    )
    review = {"order_id": order["id"], "executor_id": EXEC1, "rating": 4}
    assert (
        await client.post("/api/reviews/client", json=review, headers=auth(OWNER))
    ).status_code == 201

    response = await client.get(f"/api/orders/{order['id']}/takers", headers=auth(OWNER))

    assert response.status_code == 200
    takers = response.json()
    assert [t["executor_id"] for t in takers] == [EXEC1, EXEC2]
    first, second = takers
    assert first["first_name"] == f"User{EXEC1}"
    assert first["average_rating"] == 4.0
    assert first["reviews_count"] == 1
    assert first["completed_orders_count"] == 1
    assert first["reviewed_by_me"] is True
    assert first["refunded_at"] is None
    assert second["average_rating"] is None
    assert second["reviewed_by_me"] is False


async def test_an_order_nobody_took_has_no_takers(client):
    order = await create_order(client, OWNER)
    response = await client.get(f"/api/orders/{order['id']}/takers", headers=auth(OWNER))
    assert response.status_code == 200
    assert response.json() == []


async def test_only_the_owner_sees_the_takers(client):
    order = await create_order(client, OWNER)
    await recharge(client, EXEC1, 10)
    await take(client, order["id"], EXEC1)
    for viewer in (EXEC1, STRANGER):
        response = await client.get(f"/api/orders/{order['id']}/takers", headers=auth(viewer))
        assert response.status_code == 403
        assert response.json()["code"] == "not_owner"
    anonymous = await client.get(f"/api/orders/{order['id']}/takers")
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "auth_missing"


async def test_takers_of_a_missing_order_is_404(client):
    response = await client.get("/api/orders/nosuchorder1/takers", headers=auth(OWNER))
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"
