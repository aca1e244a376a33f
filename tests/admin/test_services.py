"""The moderation services refuse what the views would not offer, and race safely."""

from __future__ import annotations

import asyncio

import pytest

from srochno.enums import AdminRole
from srochno.ledger.adjustment import adjust_balance
from srochno.orders.cancel import cancel_order
from srochno.reviews.errors import ComplaintNotFound, ReviewAlreadyHidden
from srochno.reviews.moderation import hide_review, resolve_complaint
from srochno.staff.errors import AdminRightsRequired
from srochno.staff.service import Operator
from srochno.users.errors import UserAlreadyBanned, UserNotFound
from srochno.users.moderation import ban_user
from tests.helpers import audit_clean, auth, create_order, recharge, scalar, take

MOD = Operator(id=0, name="mod", role=AdminRole.moderator)


@pytest.fixture
async def moderator(app, operators):
    return Operator(id=operators["mod"], name="mod", role=AdminRole.moderator)


async def test_refusals(app, client, moderator, engine):
    await recharge(client, 300, 1)
    async with app.state.db.connection() as conn:
        with pytest.raises(UserNotFound):
            await ban_user(conn, moderator, 999, "x")
        with pytest.raises(AdminRightsRequired):
            await adjust_balance(conn, moderator, 300, 5, "x")
        with pytest.raises(AdminRightsRequired):
            await resolve_complaint(conn, moderator, 1, "x", refund_take=True)
        with pytest.raises(ComplaintNotFound):
            await resolve_complaint(conn, moderator, 1, "x", refund_take=False)
    async with app.state.db.transaction() as conn:
        await ban_user(conn, moderator, 300, "spam")
    async with app.state.db.transaction() as conn:
        with pytest.raises(UserAlreadyBanned):
            await ban_user(conn, moderator, 300, "spam")
    assert await scalar(engine, "SELECT count(*) FROM admin_actions") == 1


async def test_a_failed_action_leaves_no_audit_row(app, client, moderator, engine):
    order = await create_order(client, 100)
    await recharge(client, 201, 5)
    assert (await take(client, order["id"], 201)).status_code == 200
    response = await client.post(
        "/api/reviews/client",
        json={"order_id": order["id"], "executor_id": 201, "rating": 4},
        headers=auth(100),
    )
    review_id = response.json()["id"]
    async with app.state.db.transaction() as conn:
        await hide_review(conn, moderator, review_id, "rude")
    with pytest.raises(ReviewAlreadyHidden):
        async with app.state.db.transaction() as conn:
            await hide_review(conn, moderator, review_id, "rude")
    assert await scalar(engine, "SELECT count(*) FROM admin_actions") == 1


async def test_concurrent_cancels_refund_once(app, client, operators, engine):
    boss = Operator(id=operators["boss"], name="boss", role=AdminRole.admin)
    order = await create_order(client, 100)
    for executor in (201, 202, 203):
        await recharge(client, executor, 2)
        assert (await take(client, order["id"], executor)).status_code == 200

    async def cancel() -> bool:
        try:
            async with app.state.db.transaction() as conn:
                await cancel_order(conn, boss, order["id"], "scam")
        except Exception:
            return False
        return True

    results = await asyncio.gather(*(cancel() for _ in range(4)))
    assert sorted(results) == [False, False, False, True]
    total = "SELECT sum(balance) FROM users WHERE id IN (201, 202, 203)"
    assert await scalar(engine, total) == 6
    await audit_clean(engine)
