"""The moderation queue end to end: reports through the API, decisions in the panel, and
what they change, seen through the API, the ledger and the audit trail."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from srochno import clock
from srochno.enums import AdminRole, ReportReason
from srochno.orders.auto_close import close_due_orders
from srochno.orders.moderation import confirm_reports
from srochno.orders.reports import report_order
from srochno.orders.schemas import ReportIn
from srochno.staff.service import Operator
from tests.admin.test_actions import audit_rows, balance, taken_order
from tests.helpers import audit_clean, auth, create_order, scalar, take

CLIENT, EXEC1, EXEC2, OTHER = 100, 201, 202, 300
STRIKES_TO_BAN = 3
PHONE_TEXT = "Срочно нужен сантехник, звоните 8 999 123 45 67"


async def report(client: Any, order_id: str, user_id: int, reason: str = "contact_in_text") -> None:
    response = await client.post(
        f"/api/orders/{order_id}/report",
        json={"reason": reason, "comment": f"от {user_id}"},
        headers=auth(user_id),
    )
    assert response.status_code == 201, response.text


async def strikes(engine: Any, user_id: int) -> int:
    value: int = await scalar(engine, "SELECT strikes FROM users WHERE id = :id", id=user_id)
    return value


async def report_statuses(engine: Any, order_id: str) -> list[tuple[str, int | None]]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text(
                "SELECT status, decided_by_id FROM order_reports WHERE order_id = :id ORDER BY id"
            ),
            {"id": order_id},
        )
        return [(row.status, row.decided_by_id) for row in rows]


def listed_ids(page: str, ids: list[str]) -> list[str]:
    """The given order ids in the order the page lists them."""
    found = [(page.find(f">{order_id}<"), order_id) for order_id in ids]
    return [order_id for position, order_id in sorted(found) if position >= 0]


async def test_reported_orders_come_first_with_counts_reasons_and_the_detector(client, mod, engine):
    twice = await create_order(client, CLIENT, description="Нужно вскрыть дверь, ключи внутри")
    once = await create_order(client, CLIENT, description="Протекает батарея в квартире срочно")
    plain = await create_order(client, CLIENT, description="Нужен электрик, выбило автомат")
    gone = await create_order(client, OTHER, description="Нужен грузчик на два часа сегодня")
    leaked = await create_order(client, OTHER, description="Нужен мастер по ремонту стиралки")
    # An order whose text got past the detector of its day.
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE orders SET description = :d WHERE id = :id"),
            {"d": PHONE_TEXT, "id": leaked["id"]},
        )
    await report(client, once["id"], EXEC1, "fake")
    await report(client, twice["id"], EXEC1)
    await report(client, twice["id"], EXEC2, "fake")
    await report(client, twice["id"], OTHER)
    assert (
        await client.delete(f"/api/orders/{gone['id']}", headers=auth(OTHER))
    ).status_code == 204

    page = (await mod.client.get("/admin/moderation/list")).text
    ids = [twice["id"], once["id"], plain["id"], gone["id"], leaked["id"]]
    # Reported first (most reports first), then the other open orders, newest first; a
    # deleted order with no report waiting is not in the queue.
    assert listed_ids(page, ids) == [twice["id"], once["id"], leaked["id"], plain["id"]]
    assert "contact_in_text ×2, fake ×1" in page
    assert "fake ×1" in page
    assert "description: phone" in page

    detail = await mod.client.get("/admin/moderation/detail", params={"pk": twice["id"]})
    assert detail.status_code == 200
    assert "contact_in_text: от 201" in detail.text
    assert "fake: от 202" in detail.text
    detail = await mod.client.get("/admin/moderation/detail", params={"pk": plain["id"]})
    finding = re.search(
        r"Detector finds</strong>\s*</div>\s*</td>\s*<td[^>]*>\s*(\S+)", detail.text
    )
    assert finding is not None
    assert finding.group(1) == "none"
    reports_page = await mod.client.get("/admin/reports/list")
    assert reports_page.status_code == 200
    assert twice["id"] in reports_page.text


async def test_confirm_closes_the_order_refunds_its_takers_and_strikes_the_client(
    client, mod, engine
):
    order = await taken_order(client, EXEC1, EXEC2)
    await report(client, order["id"], EXEC1)
    await report(client, order["id"], OTHER, "fake")
    assert await balance(client, EXEC1) == 8

    assert await mod.refused("moderation", order["id"], "confirm", reason=" ") == (
        "Give a reason (up to 1000 characters)"
    )
    await mod.act("moderation", order["id"], "confirm", reason="a phone in the description")

    # Closed: deleted for everybody but its owner, out of the list, no more takes.
    assert (await client.get(f"/api/orders/{order['id']}", headers=auth(EXEC1))).status_code == 404
    owner_view = await client.get(f"/api/orders/{order['id']}", headers=auth(CLIENT))
    assert owner_view.json()["status"] == "deleted"
    assert order["id"] not in [i["id"] for i in (await client.get("/api/orders")).json()["items"]]
    assert (await take(client, order["id"], OTHER)).json()["code"] == "order_not_found"

    # The takers got their price back through the ledger, once each.
    assert await balance(client, EXEC1) == 10
    assert await balance(client, EXEC2) == 10
    async with engine.connect() as conn:
        refunds = (
            await conn.execute(
                text(
                    "SELECT user_id, amount, take_id FROM ledger_entries "
                    "WHERE type = 'refund' AND order_id = :id ORDER BY user_id"
                ),
                {"id": order["id"]},
            )
        ).all()
    assert [(r.user_id, r.amount) for r in refunds] == [(EXEC1, 2), (EXEC2, 2)]
    assert all(r.take_id is not None for r in refunds)
    history = (await client.get("/api/balance/transactions", headers=auth(EXEC1))).json()
    assert (history["items"][0]["type"], history["items"][0]["amount"]) == ("refund", 2)

    # A strike for the client, not yet a ban; the reports are decided by this moderator.
    assert await strikes(engine, CLIENT) == 1
    assert (await client.get("/api/users/me", headers=auth(CLIENT))).status_code == 200
    mod_id = await scalar(engine, "SELECT id FROM admin_users WHERE name = 'mod'")
    assert await report_statuses(engine, order["id"]) == [
        ("confirmed", mod_id),
        ("confirmed", mod_id),
    ]
    [row] = await audit_rows(engine)
    assert (row["admin_name"], row["action"], row["target_type"], row["target_id"]) == (
        "mod",
        "confirm_reports",
        "order",
        order["id"],
    )
    assert row["reason"] == "a phone in the description"
    take_ids = sorted(r.take_id for r in refunds)
    assert row["details"]["refunded_takes"] == take_ids
    assert row["details"]["refunded_rub"] == 4
    assert row["details"]["client_id"] == CLIENT
    assert row["details"]["previous_status"] == "active"
    assert len(row["details"]["reports"]) == 2

    # Decided: neither action is offered any more; the order leaves the queue.
    assert await mod.refused("moderation", order["id"], "confirm", reason="again") == "Forbidden"
    assert await mod.refused("moderation", order["id"], "dismiss", reason="again") == "Forbidden"
    page = (await mod.client.get("/admin/moderation/list")).text
    assert f">{order['id']}<" not in page
    users = (await mod.client.get("/admin/users/detail", params={"pk": str(CLIENT)})).text
    assert "strikes" in users.lower()
    await audit_clean(engine)


async def test_the_third_strike_bans_the_client(client, boss, mod, engine):
    orders = [
        await create_order(client, CLIENT, description=f"Нужна срочная помощь по дому {n}й раз")
        for n in range(1, 4)
    ]
    for order in orders:
        await report(client, order["id"], EXEC1)
    await boss.act("moderation", orders[0]["id"], "confirm", reason="first")
    await mod.act("moderation", orders[1]["id"], "confirm", reason="second")
    assert await strikes(engine, CLIENT) == 2
    assert (await client.get("/api/users/me", headers=auth(CLIENT))).status_code == 200

    await mod.act("moderation", orders[2]["id"], "confirm", reason="third time")
    assert await strikes(engine, CLIENT) == 3
    refused = await client.post(
        "/api/orders",
        json={
            "category": "plumbing",
            "description": "Ещё один заказ",
            "city": "Москва",
            "contact": "@client",
        },
        headers=auth(CLIENT),
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "user_banned"
    rows = await audit_rows(engine)
    assert [(r["admin_name"], r["action"], r["target_id"]) for r in rows] == [
        ("boss", "confirm_reports", orders[0]["id"]),
        ("mod", "confirm_reports", orders[1]["id"]),
        ("mod", "confirm_reports", orders[2]["id"]),
        ("mod", "ban_user", str(CLIENT)),
    ]
    assert rows[-1]["reason"] == "Banned at 3 strikes: third time"
    users = await mod.client.get("/admin/users/list")
    assert users.status_code == 200

    # Unbanned by an operator, the client keeps the strikes; the next one bans again.
    await mod.act("users", CLIENT, "unban", reason="appeal accepted")
    another = await create_order(client, CLIENT, description="Нужна срочная помощь с замком")
    await report(client, another["id"], EXEC2)
    await mod.act("moderation", another["id"], "confirm", reason="fourth")
    assert await strikes(engine, CLIENT) == 4
    assert (await client.get("/api/users/me", headers=auth(CLIENT))).status_code == 403
    await audit_clean(engine)


async def test_dismiss_gives_no_strike_and_leaves_the_order(client, mod, engine):
    order = await taken_order(client, EXEC1)
    await report(client, order["id"], EXEC2)
    assert await mod.refused("moderation", order["id"], "dismiss", reason="") == (
        "Give a reason (up to 1000 characters)"
    )
    await mod.act("moderation", order["id"], "dismiss", reason="an intercom code, not a phone")
    assert await strikes(engine, CLIENT) == 0
    seen = (await client.get(f"/api/orders/{order['id']}", headers=auth(OTHER))).json()
    assert seen["status"] == "active"
    assert await balance(client, EXEC1) == 8
    mod_id = await scalar(engine, "SELECT id FROM admin_users WHERE name = 'mod'")
    assert await report_statuses(engine, order["id"]) == [("dismissed", mod_id)]
    [row] = await audit_rows(engine)
    assert (row["action"], row["target_id"], row["reason"]) == (
        "dismiss_reports",
        order["id"],
        "an intercom code, not a phone",
    )
    assert await mod.refused("moderation", order["id"], "dismiss", reason="x") == "Forbidden"
    # The reporter cannot report it again; somebody else can, and it is pending again.
    again = await client.post(
        f"/api/orders/{order['id']}/report", json={"reason": "fake"}, headers=auth(EXEC2)
    )
    assert again.json()["code"] == "already_reported"
    await report(client, order["id"], OTHER, "fake")
    await mod.act("moderation", order["id"], "confirm", reason="fake after all")
    assert await strikes(engine, CLIENT) == 1
    assert await report_statuses(engine, order["id"]) == [
        ("dismissed", mod_id),
        ("confirmed", mod_id),
    ]
    await audit_clean(engine)


async def test_deleting_or_closing_a_reported_order_does_not_escape_the_decision(
    client, mod, app, engine
):
    deleted = await create_order(client, CLIENT)
    await report(client, deleted["id"], EXEC1)
    assert (
        await client.delete(f"/api/orders/{deleted['id']}", headers=auth(CLIENT))
    ).status_code == 204
    page = (await mod.client.get("/admin/moderation/list")).text
    assert f">{deleted['id']}<" in page
    await mod.act("moderation", deleted["id"], "confirm", reason="deleted after the report")
    assert await strikes(engine, CLIENT) == 1

    # Closed for no response: the job refunded the takers; confirming refunds nothing more.
    closed = await taken_order(client, EXEC1, EXEC2)
    await report(client, closed["id"], OTHER)
    clock.advance(timedelta(minutes=16))
    await close_due_orders(app.state.db, app.state.settings)
    assert await balance(client, EXEC1) == 10
    await mod.act("moderation", closed["id"], "confirm", reason="a phone")
    assert await balance(client, EXEC1) == 10
    rows = await audit_rows(engine)
    assert rows[-1]["details"]["previous_status"] == "closed_no_response"
    assert rows[-1]["details"]["refunded_takes"] == []
    assert await strikes(engine, CLIENT) == 2
    count = "SELECT count(*) FROM ledger_entries WHERE type = 'refund' AND order_id = :id"
    assert await scalar(engine, count, id=closed["id"]) == 2
    await audit_clean(engine)


async def test_two_operators_confirming_at_once_give_one_strike_and_one_refund_per_take(
    client, mod, boss, engine
):
    orders = [await taken_order(client, EXEC1, EXEC2) for _ in range(3)]
    for order in orders:
        await report(client, order["id"], OTHER)
    for order in orders:
        answers = await asyncio.gather(
            mod.row_action("moderation", order["id"], "confirm", reason="by mod"),
            boss.row_action("moderation", order["id"], "confirm", reason="by boss"),
        )
        assert sorted(a.status_code for a in answers) == [200, 400], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 400).json()["msg"]
        assert refused in ("Forbidden", "The order has no reports waiting for a decision")
    assert await strikes(engine, CLIENT) == 3
    assert await balance(client, EXEC1) == await balance(client, EXEC2) == 30
    refunds = "SELECT count(*) FROM ledger_entries WHERE type = 'refund'"
    assert await scalar(engine, refunds) == 6
    actions = await audit_rows(engine)
    assert [r["action"] for r in actions].count("confirm_reports") == 3
    assert [r["action"] for r in actions].count("ban_user") == 1
    await audit_clean(engine)


async def test_a_report_racing_a_decision_is_decided_with_it(client, app, operators, engine):
    """A report written while a moderator confirms is never left pending on the closed
    order: the report share-locks the order, so the decision waits for it and decides it
    too (without that lock the decision would commit first and miss it)."""
    order = await create_order(client, CLIENT)
    await report(client, order["id"], EXEC1)
    await client.get("/api/users/me", headers=auth(EXEC2))
    moderator = Operator(operators["mod"], "mod", AdminRole.moderator)

    async def confirm() -> dict[str, Any]:
        async with app.state.db.transaction() as conn:
            return await confirm_reports(
                conn, moderator, order["id"], "race", strikes_to_ban=STRIKES_TO_BAN
            )

    async with app.state.db.transaction() as conn:
        late = await report_order(conn, EXEC2, order["id"], ReportIn(reason=ReportReason.fake))
        decision = asyncio.create_task(confirm())
        for _ in range(1000):  # until the decision waits for a lock, or is done
            if decision.done() or await waiting_for_a_lock(engine):
                break
            await asyncio.sleep(0.01)
        assert not decision.done()  # it waits for the report's transaction
    result = await decision
    assert result["reports"] == 2
    assert await report_statuses(engine, order["id"]) == [
        ("confirmed", operators["mod"]),
        ("confirmed", operators["mod"]),
    ]
    assert late["status"] == "pending"  # as the reporter was told; decided since
    # After the decision, the order is gone for a new report.
    response = await client.post(
        f"/api/orders/{order['id']}/report", json={"reason": "fake"}, headers=auth(OTHER)
    )
    assert response.status_code == 404


async def waiting_for_a_lock(engine: Any) -> bool:
    waiting = (
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    return bool(await scalar(engine, waiting))
