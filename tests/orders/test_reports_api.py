"""Reporting an order through the API (SPEC §5 "Reports"): once per user, never by the
owner, nothing changes for anybody until a moderator decides."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from srochno import clock
from srochno.app import create_app
from tests.conftest import make_settings
from tests.helpers import auth, create_order, recharge, scalar, take
from tests.ratelimit.test_limits import away_from_the_window_end

OWNER, EXEC1, EXEC2 = 100, 201, 202


async def report(client: Any, order_id: str, user_id: int, **body: Any) -> httpx.Response:
    payload = {"reason": "contact_in_text", **body}
    response: httpx.Response = await client.post(
        f"/api/orders/{order_id}/report", json=payload, headers=auth(user_id)
    )
    return response


async def test_a_report_is_201_with_the_report_and_changes_nothing_seen(client, engine):
    order = await create_order(client, OWNER)
    response = await report(client, order["id"], EXEC1, comment="  номер в описании  ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"id", "order_id", "reason", "comment", "status", "created_at"}
    assert body["order_id"] == order["id"]
    assert (body["reason"], body["comment"], body["status"]) == (
        "contact_in_text",
        "номер в описании",
        "pending",
    )
    # Nothing anybody sees has changed: the order, the list, the take.
    for viewer in (OWNER, EXEC1, EXEC2):
        seen = (await client.get(f"/api/orders/{order['id']}", headers=auth(viewer))).json()
        assert seen["status"] == "active"
    listed = (await client.get("/api/orders")).json()
    assert [item["id"] for item in listed["items"]] == [order["id"]]
    await recharge(client, EXEC1, 10)
    assert (await take(client, order["id"], EXEC1)).status_code == 200
    assert await scalar(engine, "SELECT strikes FROM users WHERE id = :id", id=OWNER) == 0


async def test_once_per_order_and_user(client, engine):
    order = await create_order(client, OWNER)
    assert (await report(client, order["id"], EXEC1)).status_code == 201
    again = await report(client, order["id"], EXEC1, reason="fake")
    assert again.status_code == 409
    assert again.json() == {
        "detail": "You have already reported this order",
        "code": "already_reported",
    }
    # Another user may; the same user may report another order.
    assert (await report(client, order["id"], EXEC2, reason="fake")).status_code == 201
    other = await create_order(client, OWNER, description="Нужно срочно вскрыть замок двери")
    assert (await report(client, other["id"], EXEC1, reason="other")).status_code == 201
    count = "SELECT count(*) FROM order_reports WHERE order_id = :id"
    assert await scalar(engine, count, id=order["id"]) == 2


async def test_the_owner_cannot_report_their_order(client):
    order = await create_order(client, OWNER)
    response = await report(client, order["id"], OWNER)
    assert response.status_code == 403
    assert response.json() == {"detail": "You cannot report your own order", "code": "own_order"}


async def test_unknown_and_deleted_orders_are_404(client):
    unknown = await report(client, "nosuchorder1", EXEC1)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "order_not_found"
    order = await create_order(client, OWNER)
    deleted = await client.delete(f"/api/orders/{order['id']}", headers=auth(OWNER))
    assert deleted.status_code == 204
    response = await report(client, order["id"], EXEC1)
    assert response.status_code == 404
    assert response.json()["code"] == "order_not_found"
    # The owner still sees it, but may not report it either.
    assert (await report(client, order["id"], OWNER)).json()["code"] == "own_order"


async def test_closed_orders_can_be_reported(client):
    """Their text is still shown to anybody who opens them."""
    order = await create_order(client, OWNER)
    clock.advance(timedelta(minutes=61))
    seen = (await client.get(f"/api/orders/{order['id']}")).json()
    assert seen["status"] == "expired"
    assert (await report(client, order["id"], EXEC1, reason="fake")).status_code == 201


async def test_a_report_needs_a_signed_in_user(client):
    order = await create_order(client, OWNER)
    response = await client.post(
        f"/api/orders/{order['id']}/report", json={"reason": "contact_in_text"}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "auth_missing"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"reason": "spam"},
        {"reason": None},
        {"reason": 1},
        {"reason": "fake", "comment": "x" * 501},
        {"reason": "fake", "comment": "a\u0000b"},
        {"reason": "fake", "comment": 5},
    ],
)
async def test_validation(client, body):
    order = await create_order(client, OWNER)
    response = await client.post(
        f"/api/orders/{order['id']}/report", json=body, headers=auth(EXEC1)
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


async def test_comment_limits_and_empty_comment(client, engine):
    """The comment is read by moderators only: up to 500 characters, not checked for
    contacts (a reporter may quote the contact they found); blank is stored as none."""
    first = await create_order(client, OWNER)
    longest = await report(client, first["id"], EXEC1, comment="з" * 500)
    assert longest.status_code == 201
    quoted = await report(client, first["id"], EXEC2, comment="в тексте +7 999 123-45-67")
    assert quoted.status_code == 201
    second = await create_order(client, OWNER, description="Нужно срочно вскрыть замок двери")
    blank = await report(client, second["id"], EXEC1, reason="other", comment="   ")
    assert blank.status_code == 201
    assert blank.json()["comment"] is None


async def test_reports_are_documented_in_openapi(client):
    schema = (await client.get("/openapi.json")).json()
    answers = schema["paths"]["/api/orders/{order_id}/report"]["post"]["responses"]
    assert {"201", "401", "403", "404", "409", "422", "429", "503"} <= set(answers)
    examples = {
        status: set(answers[status]["content"]["application/json"].get("examples", {}))
        for status in ("401", "403", "404", "409", "429", "503")
    }
    assert "own_order" in examples["403"]
    assert "user_banned" in examples["403"]
    assert examples["404"] == {"order_not_found"}
    assert examples["409"] == {"already_reported"}
    assert examples["429"] == {"rate_limited"}
    assert "database_unavailable" in examples["503"]
    assert answers["201"]["content"]["application/json"]["schema"]["$ref"].endswith("ReportOut")
    reasons = schema["components"]["schemas"]["ReportReason"]["enum"]
    assert reasons == ["contact_in_text", "fake", "other"]


async def test_reports_are_rate_limited_per_user(database_url):
    away_from_the_window_end(3600)
    app = create_app(make_settings(database_url, rate_report_per_hour=2), run_jobs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as c:
            orders = [
                await create_order(c, OWNER, description=f"Срочно нужен мастер номер {n}")
                for n in range(3)
            ]
            assert (await report(c, orders[0]["id"], EXEC1)).status_code == 201
            assert (await report(c, orders[1]["id"], EXEC1)).status_code == 201
            limited = await report(c, orders[2]["id"], EXEC1)
            assert limited.status_code == 429
            assert limited.json()["code"] == "rate_limited"
            assert "Retry-After" in limited.headers
            assert (await report(c, orders[2]["id"], EXEC2)).status_code == 201


async def test_a_banned_user_cannot_report(client, engine):
    order = await create_order(client, OWNER)
    await client.get("/api/users/me", headers=auth(EXEC1))
    async with engine.begin() as conn:
        from sqlalchemy import text

        await conn.execute(text("UPDATE users SET is_banned = true WHERE id = :id"), {"id": EXEC1})
    response = await report(client, order["id"], EXEC1)
    assert response.status_code == 403
    assert response.json()["code"] == "user_banned"
