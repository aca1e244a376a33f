"""The owner's reactions (respond, complete) and what the passing of time does to an order,
seen through the HTTP API, with balances and the ledger checked in SQL."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from srochno import clock
from srochno.orders.auto_close import CloseReport, close_due_orders
from tests.helpers import audit_clean, auth, create_order, recharge, scalar, take

OWNER, STRANGER = 100, 150
EXEC1, EXEC2, EXEC3 = 201, 202, 203


async def run_job(app: Any, now: datetime | None = None) -> CloseReport:
    return await close_due_orders(app.state.db, app.state.settings, now)


async def taken_order(client: Any, *executors: int, **fields: Any) -> dict[str, Any]:
    """An order of ``OWNER`` taken by ``executors`` (each recharged with 10)."""
    order = await create_order(client, OWNER, **fields)
    for executor in executors:
        await recharge(client, executor, 10)
        response = await take(client, order["id"], executor)
        assert response.status_code == 200, response.text
    return order


async def respond(client: Any, order_id: str, user_id: int = OWNER) -> Any:
    return await client.post(f"/api/orders/{order_id}/respond", headers=auth(user_id))


async def complete(client: Any, order_id: str, executor_id: int, user_id: int = OWNER) -> Any:
    return await client.post(
        f"/api/orders/{order_id}/complete", json={"executor_id": executor_id}, headers=auth(user_id)
    )


async def get_order(client: Any, order_id: str, user_id: int = OWNER) -> dict[str, Any]:
    response = await client.get(f"/api/orders/{order_id}", headers=auth(user_id))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def balance(client: Any, user_id: int) -> int:
    response = await client.get("/api/balance", headers=auth(user_id))
    assert response.status_code == 200, response.text
    value: int = response.json()["balance"]
    return value


async def stored_status(engine: Any, order_id: str) -> str:
    status: str = await scalar(engine, "SELECT status FROM orders WHERE id = :id", id=order_id)
    return status


async def refund_rows(engine: Any) -> int:
    count: int = await scalar(engine, "SELECT count(*) FROM ledger_entries WHERE type = 'refund'")
    return count


def error_code(response: Any) -> str:
    code: str = response.json()["code"]
    return code


# --- respond ---------------------------------------------------------------------------


async def test_respond_sets_responded_at_and_is_idempotent(client, engine):
    order = await taken_order(client, EXEC1)
    first = await respond(client, order["id"])
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["id"] == order["id"]
    assert body["status"] == "active"
    assert body["responded_at"] is not None
    assert body["is_owner"] is True
    assert body["contact"] == order["contact"]

    clock.advance(timedelta(minutes=1))
    second = await respond(client, order["id"])
    assert second.status_code == 200
    assert second.json()["responded_at"] == body["responded_at"]
    assert (await get_order(client, order["id"], EXEC1))["responded_at"] == body["responded_at"]
    stored = await scalar(engine, "SELECT responded_at FROM orders WHERE id = :id", id=order["id"])
    assert stored == datetime.fromisoformat(body["responded_at"])


async def test_respond_is_for_the_owner_only(client):
    order = await taken_order(client, EXEC1)
    for user in (STRANGER, EXEC1):
        response = await respond(client, order["id"], user)
        assert response.status_code == 403
        assert error_code(response) == "not_owner"
    assert (await get_order(client, order["id"]))["responded_at"] is None


async def test_respond_needs_a_take(client):
    order = await create_order(client, OWNER)
    response = await respond(client, order["id"])
    assert response.status_code == 409
    assert error_code(response) == "no_takes"
    assert (await get_order(client, order["id"]))["responded_at"] is None


async def test_respond_to_an_unknown_order_is_404(client):
    response = await respond(client, "nosuchorder1")
    assert response.status_code == 404
    assert error_code(response) == "order_not_found"


async def test_respond_to_an_expired_order_is_allowed(client, override_settings):
    override_settings(no_response_minutes=120)
    order = await taken_order(client, EXEC1)
    clock.advance(timedelta(minutes=61))
    response = await respond(client, order["id"])
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "expired"
    assert response.json()["responded_at"] is not None


@pytest.mark.parametrize("job_ran", [False, True])
async def test_respond_after_the_no_response_close_is_refused(client, app, engine, job_ran):
    order = await taken_order(client, EXEC1)
    clock.advance(timedelta(minutes=15))
    if job_ran:
        assert (await run_job(app)).closed_no_response == 1
    response = await respond(client, order["id"])
    assert response.status_code == 409
    assert error_code(response) == "order_not_active"
    assert (await get_order(client, order["id"]))["responded_at"] is None
    await run_job(app)
    assert await refund_rows(engine) == 1
    await audit_clean(engine)


async def test_respond_stops_the_no_response_refund(client, app, engine):
    order = await taken_order(client, EXEC1, EXEC2)
    assert (await respond(client, order["id"])).status_code == 200
    clock.advance(timedelta(minutes=30))
    report = await run_job(app)
    assert report == CloseReport()
    assert (await get_order(client, order["id"]))["status"] == "active"
    assert await balance(client, EXEC1) == 8
    assert await refund_rows(engine) == 0
    await audit_clean(engine)


# --- complete --------------------------------------------------------------------------


async def public_profile(client: Any, user_id: int) -> dict[str, Any]:
    response = await client.get(f"/api/users/{user_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "balance" not in body
    return body


async def test_complete_marks_the_order_completed(client, engine):
    order = await taken_order(client, EXEC1, EXEC2)
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 0
    response = await complete(client, order["id"], EXEC1)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "completed"
    assert body["responded_at"] is not None
    assert body["completed_executor_id"] == EXEC1
    assert body["seconds_left"] == 0
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 1
    assert (await public_profile(client, EXEC2))["completed_orders_count"] == 0
    assert (await get_order(client, order["id"], EXEC2))["status"] == "completed"
    listed = await client.get("/api/orders")
    assert order["id"] not in [item["id"] for item in listed.json()["items"]]
    await audit_clean(engine)


async def test_complete_is_for_the_owner_only(client):
    order = await taken_order(client, EXEC1)
    for user in (STRANGER, EXEC1):
        response = await complete(client, order["id"], EXEC1, user_id=user)
        assert response.status_code == 403
        assert error_code(response) == "not_owner"
    assert (await get_order(client, order["id"]))["status"] == "active"
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 0


async def test_complete_needs_an_executor_who_took_the_order(client):
    order = await taken_order(client, EXEC1)
    await recharge(client, EXEC2, 10)  # a known user who did not take this order
    for executor in (EXEC2, OWNER, 999_999):
        response = await complete(client, order["id"], executor)
        assert response.status_code == 409
        assert error_code(response) == "executor_not_taker"
    assert (await get_order(client, order["id"]))["status"] == "active"


@pytest.mark.parametrize("body", [{}, {"executor_id": "x"}, {"executor_id": 0}])
async def test_complete_validates_the_body(client, body):
    order = await taken_order(client, EXEC1)
    response = await client.post(
        f"/api/orders/{order['id']}/complete", json=body, headers=auth(OWNER)
    )
    assert response.status_code == 422
    assert error_code(response) == "validation_error"


async def test_complete_repeated_with_the_same_executor_counts_once(client):
    order = await taken_order(client, EXEC1)
    first = await complete(client, order["id"], EXEC1)
    clock.advance(timedelta(minutes=5))
    second = await complete(client, order["id"], EXEC1)
    assert second.status_code == 200, second.text
    assert second.json()["status"] == "completed"
    assert second.json()["responded_at"] == first.json()["responded_at"]
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 1


async def test_complete_with_another_executor_after_completion_is_refused(client):
    order = await taken_order(client, EXEC1, EXEC2)
    assert (await complete(client, order["id"], EXEC1)).status_code == 200
    response = await complete(client, order["id"], EXEC2)
    assert response.status_code == 409
    assert error_code(response) == "order_not_active"
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 1
    assert (await public_profile(client, EXEC2))["completed_orders_count"] == 0


async def test_concurrent_completes_count_once(client, engine):
    order = await taken_order(client, EXEC1)
    responses = await asyncio.gather(*(complete(client, order["id"], EXEC1) for _ in range(10)))
    assert [r.status_code for r in responses] == [200] * 10, [r.text for r in responses]
    assert {r.json()["status"] for r in responses} == {"completed"}
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 1
    stored = await scalar(
        engine, "SELECT completed_orders_count FROM users WHERE id = :id", id=EXEC1
    )
    assert stored == 1


async def test_concurrent_completes_with_different_executors_pick_one(client):
    order = await taken_order(client, EXEC1, EXEC2, EXEC3)
    executors = [EXEC1, EXEC2, EXEC3] * 3
    responses = await asyncio.gather(*(complete(client, order["id"], e) for e in executors))
    winners = {e for e, r in zip(executors, responses, strict=True) if r.status_code == 200}
    assert len(winners) == 1, [r.text for r in responses]
    (winner,) = winners
    for executor, response in zip(executors, responses, strict=True):
        if executor != winner:
            assert response.status_code == 409
            assert error_code(response) == "order_not_active"
    counts = [(await public_profile(client, e))["completed_orders_count"] for e in executors[:3]]
    assert sorted(counts) == [0, 0, 1]
    assert (await get_order(client, order["id"]))["completed_executor_id"] == winner


async def test_completes_of_many_orders_add_up(client):
    orders = [await taken_order(client, EXEC1) for _ in range(5)]
    responses = await asyncio.gather(*(complete(client, o["id"], EXEC1) for o in orders))
    assert [r.status_code for r in responses] == [200] * 5
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 5


async def test_complete_counts_as_a_response(client, app, engine):
    order = await taken_order(client, EXEC1, EXEC2)
    assert (await complete(client, order["id"], EXEC2)).status_code == 200
    clock.advance(timedelta(minutes=61))
    report = await run_job(app)
    assert report == CloseReport()
    assert await stored_status(engine, order["id"]) == "completed"
    assert await balance(client, EXEC1) == 8
    assert await refund_rows(engine) == 0
    await audit_clean(engine)


async def test_complete_of_an_expired_order_within_the_window(client, app):
    order = await taken_order(client, EXEC1)
    assert (await respond(client, order["id"])).status_code == 200
    clock.advance(timedelta(hours=71, minutes=59))
    await run_job(app)
    assert (await get_order(client, order["id"]))["status"] == "expired"
    response = await complete(client, order["id"], EXEC1)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "completed"
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 1


@pytest.mark.parametrize("job_ran", [False, True])
async def test_complete_after_the_window_is_refused(client, app, engine, job_ran):
    order = await taken_order(client, EXEC1)
    assert (await respond(client, order["id"])).status_code == 200
    clock.advance(timedelta(hours=72, seconds=1))
    if job_ran:
        await run_job(app)
    response = await complete(client, order["id"], EXEC1)
    assert response.status_code == 409
    assert error_code(response) == "completion_window_closed"
    assert await stored_status(engine, order["id"]) == ("expired" if job_ran else "active")
    assert (await get_order(client, order["id"]))["status"] == "expired"
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 0


async def test_completion_window_follows_the_setting(client, override_settings):
    override_settings(completion_window_hours=0.5, no_response_minutes=120)
    order = await taken_order(client, EXEC1)
    clock.advance(timedelta(minutes=31))
    response = await complete(client, order["id"], EXEC1)
    assert response.status_code == 409
    assert error_code(response) == "completion_window_closed"


@pytest.mark.parametrize("job_ran", [False, True])
async def test_complete_of_an_unanswered_closed_order_is_refused(client, app, job_ran):
    order = await taken_order(client, EXEC1)
    clock.advance(timedelta(minutes=16))
    if job_ran:
        await run_job(app)
    response = await complete(client, order["id"], EXEC1)
    assert response.status_code == 409
    assert error_code(response) == "order_not_active"
    assert (await public_profile(client, EXEC1))["completed_orders_count"] == 0


async def test_deleted_order_is_not_found_for_respond_and_complete_of_others(client):
    order = await create_order(client, OWNER)
    deleted = await client.delete(f"/api/orders/{order['id']}", headers=auth(OWNER))
    assert deleted.status_code == 204
    for response in (
        await respond(client, order["id"], STRANGER),
        await complete(client, order["id"], EXEC1, user_id=STRANGER),
    ):
        assert response.status_code == 404
        assert error_code(response) == "order_not_found"


# --- time: expiry and the no-response close --------------------------------------------


async def test_untouched_order_expires(client, app, engine):
    order = await create_order(client, OWNER)
    clock.advance(timedelta(minutes=59, seconds=59))
    assert await run_job(app) == CloseReport()
    assert (await get_order(client, order["id"]))["status"] == "active"

    clock.advance(timedelta(seconds=1))
    seen = await get_order(client, order["id"], STRANGER)
    assert seen["status"] == "expired"  # before the job has run
    assert seen["seconds_left"] == 0
    assert seen["minutes_left"] == 0
    assert await stored_status(engine, order["id"]) == "active"
    listed = await client.get("/api/orders")
    assert listed.json()["total"] == 0

    report = await run_job(app)
    assert report == CloseReport(expired=1)
    assert await stored_status(engine, order["id"]) == "expired"
    assert (await get_order(client, order["id"]))["status"] == "expired"
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 0
    assert (
        await scalar(engine, "SELECT closed_at FROM orders WHERE id = :id", id=order["id"]) is None
    )
    mine = await client.get("/api/users/me/orders", headers=auth(OWNER))
    assert [item["status"] for item in mine.json()["items"]] == ["expired"]


@pytest.mark.parametrize("job_ran", [False, True])
async def test_expired_order_cannot_be_taken(client, app, engine, job_ran):
    order = await create_order(client, OWNER)
    await recharge(client, EXEC1, 10)
    clock.advance(timedelta(minutes=60))
    if job_ran:
        await run_job(app)
    response = await take(client, order["id"], EXEC1)
    assert response.status_code == 409
    assert error_code(response) == "order_expired"
    assert await balance(client, EXEC1) == 10
    assert await scalar(engine, "SELECT count(*) FROM takes") == 0
    await audit_clean(engine)


async def test_unanswered_order_is_closed_and_every_taker_refunded(client, app, engine):
    order = await taken_order(client, EXEC1, EXEC2, EXEC3)
    async with engine.connect() as connection:
        rows = (await connection.execute(text("SELECT id, executor_id FROM takes"))).all()
    take_ids = {row.executor_id: row.id for row in rows}
    assert [await balance(client, e) for e in (EXEC1, EXEC2, EXEC3)] == [8, 8, 8]

    clock.advance(timedelta(minutes=14, seconds=59))
    assert await run_job(app) == CloseReport()
    assert await refund_rows(engine) == 0

    clock.advance(timedelta(seconds=1))
    assert (await get_order(client, order["id"], EXEC1))["status"] == "closed_no_response"
    report = await run_job(app)
    assert report == CloseReport(closed_no_response=1, refunds=3, refunded_amount=6)
    assert await stored_status(engine, order["id"]) == "closed_no_response"
    assert [await balance(client, e) for e in (EXEC1, EXEC2, EXEC3)] == [10, 10, 10]

    for executor in (EXEC1, EXEC2, EXEC3):
        history = await client.get("/api/balance/transactions", headers=auth(executor))
        items = history.json()["items"]
        assert [i["type"] for i in items] == ["refund", "order_take", "recharge"]
        refund = items[0]
        assert refund["amount"] == 2
        assert refund["balance_after"] == 10
        assert refund["order_id"] == order["id"]
        assert refund["take_id"] == take_ids[executor]
        mine = await client.get("/api/users/me/takes", headers=auth(executor))
        (taken,) = mine.json()["items"]
        assert taken["order"]["status"] == "closed_no_response"
        assert taken["order"]["contact"] == order["contact"]  # takers keep access
        assert taken["take"]["refunded_at"] is not None
    await audit_clean(engine)


async def test_refund_is_the_price_paid_not_the_current_price(
    client, app, engine, override_settings
):
    override_settings(take_price=7)
    order = await taken_order(client, EXEC1)
    assert await balance(client, EXEC1) == 3
    override_settings(take_price=2)
    clock.advance(timedelta(minutes=15))
    report = await run_job(app)
    assert report.refunded_amount == 7
    assert await balance(client, EXEC1) == 10
    row = await scalar(
        engine,
        "SELECT amount FROM ledger_entries WHERE type = 'refund' AND order_id = :id",
        id=order["id"],
    )
    assert row == 7
    await audit_clean(engine)


async def test_refund_balance_after_follows_other_ledger_rows(client, app, engine):
    order = await taken_order(client, EXEC1)
    await recharge(client, EXEC1, 5)  # 8 + 5 = 13 before the refund
    clock.advance(timedelta(minutes=15))
    await run_job(app)
    history = await client.get("/api/balance/transactions", headers=auth(EXEC1))
    refund = history.json()["items"][0]
    assert (refund["type"], refund["amount"], refund["balance_after"]) == ("refund", 2, 15)
    assert refund["order_id"] == order["id"]
    await audit_clean(engine)


async def test_one_executor_refunded_for_several_orders_in_one_run(client, app, engine):
    orders = [await taken_order(client, EXEC1, EXEC2) for _ in range(3)]
    assert await balance(client, EXEC1) == 30 - 6
    clock.advance(timedelta(minutes=15))
    report = await run_job(app)
    assert report == CloseReport(closed_no_response=3, refunds=6, refunded_amount=12)
    assert await balance(client, EXEC1) == 30
    assert await balance(client, EXEC2) == 30
    history = await client.get("/api/balance/transactions", headers=auth(EXEC1))
    refunds = [i for i in history.json()["items"] if i["type"] == "refund"]
    assert sorted(r["order_id"] for r in refunds) == sorted(o["id"] for o in orders)
    assert sorted(r["balance_after"] for r in refunds) == [26, 28, 30]
    await audit_clean(engine)


async def test_no_response_clock_starts_at_the_first_take(client, app, engine):
    order = await taken_order(client, EXEC1)
    clock.advance(timedelta(minutes=10))
    await recharge(client, EXEC2, 10)
    assert (await take(client, order["id"], EXEC2)).status_code == 200
    clock.advance(timedelta(minutes=5))
    report = await run_job(app)
    assert report == CloseReport(closed_no_response=1, refunds=2, refunded_amount=4)
    assert await balance(client, EXEC2) == 10
    await audit_clean(engine)


async def test_job_run_twice_refunds_once(client, app, engine):
    await taken_order(client, EXEC1, EXEC2)
    clock.advance(timedelta(minutes=20))
    first = await run_job(app)
    assert first.refunds == 2
    second = await run_job(app)
    assert second == CloseReport()
    clock.advance(timedelta(days=1))
    assert await run_job(app) == CloseReport()
    assert await refund_rows(engine) == 2
    assert await balance(client, EXEC1) == 10
    await audit_clean(engine)


async def test_answered_order_expires_without_refunds_and_stays_completable(client, app, engine):
    order = await taken_order(client, EXEC1, EXEC2)
    assert (await respond(client, order["id"])).status_code == 200
    clock.advance(timedelta(minutes=60))
    report = await run_job(app)
    assert report == CloseReport(expired=1)
    assert await stored_status(engine, order["id"]) == "expired"
    assert await refund_rows(engine) == 0
    assert [await balance(client, e) for e in (EXEC1, EXEC2)] == [8, 8]
    # takers keep the contact
    assert (await get_order(client, order["id"], EXEC2))["contact"] == order["contact"]

    clock.advance(timedelta(hours=24))
    assert await run_job(app) == CloseReport()
    response = await complete(client, order["id"], EXEC2)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "completed"
    assert (await public_profile(client, EXEC2))["completed_orders_count"] == 1
    await audit_clean(engine)


async def test_order_expired_by_the_job_is_still_closed_for_no_response(client, app, engine):
    order = await create_order(client, OWNER)
    clock.advance(timedelta(minutes=55))
    await recharge(client, EXEC1, 10)
    assert (await take(client, order["id"], EXEC1)).status_code == 200

    clock.advance(timedelta(minutes=5))
    assert await run_job(app) == CloseReport(expired=1)
    assert await stored_status(engine, order["id"]) == "expired"
    assert await balance(client, EXEC1) == 8

    clock.advance(timedelta(minutes=10))
    report = await run_job(app)
    assert report == CloseReport(closed_no_response=1, refunds=1, refunded_amount=2)
    assert await stored_status(engine, order["id"]) == "closed_no_response"
    assert await balance(client, EXEC1) == 10
    await audit_clean(engine)


async def test_take_replayed_after_the_close_charges_nothing(client, app, engine):
    order = await taken_order(client, EXEC1)
    clock.advance(timedelta(minutes=15))
    await run_job(app)
    response = await take(client, order["id"], EXEC1)
    assert response.status_code == 200, response.text
    assert response.json()["replayed"] is True
    assert response.json()["balance"] == 10
    assert response.json()["order"]["status"] == "closed_no_response"
    fresh = await take(client, order["id"], EXEC2)
    assert fresh.status_code == 409
    assert error_code(fresh) == "order_not_active"
    await audit_clean(engine)


async def test_fractional_minutes_in_the_settings(client, app, engine, override_settings):
    override_settings(no_response_minutes=0.1, order_lifetime_minutes=0.2)
    answered = await taken_order(client, EXEC1)
    assert (await respond(client, answered["id"])).status_code == 200
    unanswered = await taken_order(client, EXEC2)
    untouched = await create_order(client, OWNER)
    assert (await get_order(client, untouched["id"]))["seconds_left"] == 12

    clock.advance(timedelta(seconds=5))
    assert await run_job(app) == CloseReport()

    clock.advance(timedelta(seconds=1))
    assert await run_job(app) == CloseReport(closed_no_response=1, refunds=1, refunded_amount=2)
    assert await stored_status(engine, unanswered["id"]) == "closed_no_response"

    clock.advance(timedelta(seconds=6))
    assert await run_job(app) == CloseReport(expired=2)
    assert await stored_status(engine, answered["id"]) == "expired"
    assert await stored_status(engine, untouched["id"]) == "expired"
    assert await balance(client, EXEC1) == 8
    assert await balance(client, EXEC2) == 10
    await audit_clean(engine)


async def test_free_take_is_closed_without_a_ledger_row(client, app, engine, override_settings):
    override_settings(take_price=0)
    order = await taken_order(client, EXEC1)
    clock.advance(timedelta(minutes=15))
    report = await run_job(app)
    assert report == CloseReport(closed_no_response=1, refunds=0, refunded_amount=0)
    assert await stored_status(engine, order["id"]) == "closed_no_response"
    assert await refund_rows(engine) == 0
    assert await balance(client, EXEC1) == 10
    await audit_clean(engine)


async def test_deleted_order_is_left_alone_by_the_job(client, app, engine):
    order = await create_order(client, OWNER)
    response = await client.delete(f"/api/orders/{order['id']}", headers=auth(OWNER))
    assert response.status_code == 204
    clock.advance(timedelta(hours=2))
    assert await run_job(app) == CloseReport()
    assert await stored_status(engine, order["id"]) == "deleted"
