"""The dashboard's figures against a small history whose numbers are counted by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from srochno import clock
from srochno.orders.auto_close import close_due_orders
from tests.helpers import auth, create_order, recharge, take

CLIENT = 100
NOON = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


def at(moment: datetime) -> None:
    clock.advance(moment - clock.now())


async def test_figures_per_day_and_in_total(app, client, boss):
    # Two days ago: one order, never taken.
    at(NOON - timedelta(days=2))
    await create_order(client, CLIENT)
    # Today: three orders.
    at(NOON)
    done = await create_order(client, CLIENT)
    unanswered = await create_order(client, CLIENT)
    await create_order(client, CLIENT)  # never taken
    for executor in (201, 202, 203):
        await recharge(client, executor, 10)
    at(NOON + timedelta(minutes=4))  # first take of `done` after 4 minutes
    assert (await take(client, done["id"], 201)).status_code == 200
    assert (await take(client, done["id"], 202)).status_code == 200
    at(NOON + timedelta(minutes=10))  # first take of `unanswered` after 10 minutes
    assert (await take(client, unanswered["id"], 202)).status_code == 200
    assert (await take(client, unanswered["id"], 203)).status_code == 200
    completed = await client.post(
        f"/api/orders/{done['id']}/complete", json={"executor_id": 201}, headers=auth(CLIENT)
    )
    assert completed.status_code == 200
    at(NOON + timedelta(minutes=30))  # `unanswered` is closed, its two takers refunded
    report = await close_due_orders(app.state.db, app.state.settings)
    assert report.refunds == 2

    response = await boss.client.get("/admin/api/stats")
    assert response.status_code == 200
    stats = response.json()
    assert (stats["from"], stats["to"]) == ("2026-02-19", "2026-03-20")
    days = {day["date"]: day for day in stats["days"]}
    assert len(days) == 30
    today, before = days["2026-03-20"], days["2026-03-18"]
    assert today == {
        "date": "2026-03-20",
        "orders_created": 3,
        "orders_taken": 2,
        "orders_completed": 1,
        "orders_closed_no_response": 1,
        "take_revenue": 8,
        "refunds": 4,
        "stars_income": 0,
        "yookassa_income": 0,
        "active_executors": 3,
        "completion_rate": 0.5,
        "median_minutes_to_first_take": 7.0,
    }
    assert before["orders_created"] == 1
    assert before["orders_taken"] == 0
    assert before["completion_rate"] is None
    assert before["median_minutes_to_first_take"] is None
    assert days["2026-03-19"]["orders_created"] == 0
    totals = {key: value for key, value in today.items() if key != "date"}
    assert stats["totals"] == {**totals, "orders_created": 4}

    page = await boss.client.get("/admin/")
    assert page.status_code == 200
    assert 'id="srochno-stats"' in page.text
    assert "srochno/chart.umd.js" in page.text
    script = await boss.client.get("/admin/static/srochno/chart.umd.js")
    assert script.status_code == 200
    assert b"Chart.js v4" in script.content[:200]


async def test_stats_are_for_signed_in_operators_only(client, browser):
    response = await browser.client.get("/admin/api/stats")
    assert response.status_code == 401
    assert response.json()["code"] == "admin_auth_required"


async def test_money_sums_beyond_64_bits_are_served(app, client, boss, engine):
    from sqlalchemy import text

    big = 2**62
    async with engine.begin() as conn:
        for user_id in (301, 302, 303, 304):  # 4 × 2^62 = 2^64 rubles of Stars income
            await conn.execute(
                text(
                    "INSERT INTO users (id, balance, created_at, updated_at) "
                    "VALUES (:id, :big, now(), now())"
                ),
                {"id": user_id, "big": big},
            )
            await conn.execute(
                text(
                    "INSERT INTO ledger_entries (user_id, type, amount, balance_after, method, "
                    "created_at) VALUES (:id, 'recharge', :big, :big, 'telegram_stars', now())"
                ),
                {"id": user_id, "big": big},
            )
    response = await boss.client.get("/admin/api/stats")
    assert response.status_code == 200
    assert response.json()["totals"]["stars_income"] == str(2**64)
    assert (await boss.client.get("/admin/")).status_code == 200  # the page too
