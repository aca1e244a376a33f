"""Model-based test of the marketplace through its HTTP API.

A Hypothesis state machine plays random users (a pool of six) against the real app on
PostgreSQL: recharges (with and without ``Idempotency-Key`` replays), orders, takes and
their replays, edits, deletes, responses, completions, client reviews, complaints, clock
moves and runs of the auto-close job. A small in-memory model predicts every answer
(status code and error code), every balance, every order's status with its time rules, and
the public counters; after every step the API must agree with it, and the ledger must pass
its audit.

The state machine is synchronous; the app, its engine and the HTTP client live on an event
loop of their own in a background thread, so the engine only ever runs on the loop that
created it. ``MODEL_EXAMPLES`` (per timeline) and ``MODEL_STEPS`` make longer runs.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)

from srochno import clock
from srochno.app import create_app
from srochno.config import Settings
from srochno.ledger.audit import audit
from srochno.orders.auto_close import close_due_orders
from srochno.state import app_engine
from tests.conftest import make_settings
from tests.helpers import ORDER, auth
from tests.reset import DatabaseReset

T = TypeVar("T")

USERS = (601, 602, 603, 604, 605, 606)
MISSING_ORDER = "noSuchOrder0"
CATEGORIES = ("plumbing", "locksmith", "other")
REASONS = ("no_response", "fake_order", "rude")
EDITS = {
    "description": {"description": "Нужен мастер прямо сейчас, дверь заклинило"},
    "same_city": {"city": "  москва "},
    "other_city": {"city": "Казань"},
    "contact_in_text": {"description": "Звоните +7 912 345-67-89 прямо сейчас"},
}
# A drawn pool user, or (a small number) a user relative to the order: see the helpers
# ``someone_but_owner`` and ``taker_or``; None stands for the order's owner.
SOMEONE = st.one_of(st.integers(0, 4), st.sampled_from(USERS))
OWNER_OR_ANYONE = st.one_of(st.none(), st.sampled_from(USERS))
# Whole minutes only: a deadline then never falls between the model's "now" and the
# server's (they differ by the milliseconds a request takes).
SHORT_MOVES = (1, 2, 5, 10, 14, 15, 16)
LONG_MOVES = (30, 45, 59, 60, 61, 89, 90, 91, 119, 120, 121, 180, 181, 4320, 4321, 10081)
# Two timelines. The defaults: no response 15 min < lifetime 60 min < completion 72 h <
# reviews 7 days. A compressed one with the deadlines in another order, so that a short run
# reaches each of them: lifetime 60 min < completion 90 min < no response 120 min < reviews
# 3 h. The model reads every rule from the settings.
TIMELINES = {
    "default-timeline": {},
    "compressed-timeline": {
        "completion_window_hours": 1.5,
        "no_response_minutes": 120,
        "review_window_days": 0.125,
    },
}
EXAMPLES = int(os.environ.get("MODEL_EXAMPLES", "15"))
STEPS = int(os.environ.get("MODEL_STEPS", "40"))


class Runner:
    """The app and an HTTP client on an event loop owned by a background thread."""

    def __init__(self, app_settings: Settings) -> None:
        self.settings = app_settings
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="model-loop")
        self.thread.start()
        self.app = create_app(app_settings, run_jobs=False)
        self.stack = AsyncExitStack()
        self.client: httpx.AsyncClient | None = None
        self.run(self._start())

    async def _start(self) -> None:
        assert self.settings.database_url is not None
        self.reset = await DatabaseReset.open(self.settings.database_url)
        self.stack.push_async_callback(self.reset.close)
        await self.stack.enter_async_context(self.app.router.lifespan_context(self.app))
        transport = httpx.ASGITransport(app=self.app)
        self.client = await self.stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://srochno.test")
        )

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=60)

    def close(self) -> None:
        try:
            self.run(self.stack.aclose())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=60)
            self.loop.close()

    def request(
        self, method: str, url: str, user: int | None = None, **kwargs: Any
    ) -> httpx.Response:
        assert self.client is not None
        headers = {**(auth(user) if user is not None else {}), **kwargs.pop("headers", {})}
        return self.run(self.client.request(method, url, headers=headers, **kwargs))

    def empty(self) -> None:
        self.run(self.reset())

    async def _audit(self) -> dict[str, list[dict[str, object]]]:
        async with app_engine(self.app).connect() as connection:
            result = await audit(connection, self.settings.max_executors_per_order)
        return result.violations

    def audit(self) -> dict[str, list[dict[str, object]]]:
        return self.run(self._audit())

    def close_due_orders(self) -> None:
        self.run(close_due_orders(self.app.state.db, self.settings))


# --- the model ------------------------------------------------------------------------


@dataclass
class ModelOrder:
    id: str
    owner: int
    created_at: datetime
    expires_at: datetime
    stored: str = "active"  # the status in the database, changed by actions and the job
    takes: dict[int, datetime] = field(default_factory=dict)
    refunded: set[int] = field(default_factory=set)
    first_taken_at: datetime | None = None
    responded_at: datetime | None = None
    completed_by: int | None = None


@dataclass
class Outcome:
    status: int
    code: str | None = None


def ok(status: int = 200) -> Outcome:
    return Outcome(status)


def fail(status: int, code: str) -> Outcome:
    return Outcome(status, code)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


class Marketplace(RuleBasedStateMachine):
    orders = Bundle("orders")

    def __init__(self, runner: Runner) -> None:
        super().__init__()
        self.api = runner
        self.config = runner.settings
        runner.empty()
        clock.reset()
        self.balances: dict[int, int] = dict.fromkeys(USERS, 0)
        self.recharge_keys: dict[tuple[int, str], tuple[int, int]] = {}  # amount, balance
        self.take_keys: dict[tuple[int, str], str] = {}
        self.model: dict[str, ModelOrder] = {}
        self.gone: list[str] = []
        self.reviews: set[tuple[str, int, int]] = set()
        self.complaints: set[tuple[str, int]] = set()
        self.completed_count: dict[int, int] = dict.fromkeys(USERS, 0)
        self.ratings: dict[int, list[int]] = {user: [] for user in USERS}
        self.complaints_count: dict[int, int] = dict.fromkeys(USERS, 0)

    # --- the rules of the product, as the model sees them ------------------------------

    def status(self, order: ModelOrder, now: datetime) -> str:
        if (
            order.stored in ("active", "expired")
            and order.first_taken_at is not None
            and order.responded_at is None
            and now >= order.first_taken_at + self.config.no_response_timeout
        ):
            return "closed_no_response"
        if order.stored == "active" and now >= order.expires_at:
            return "expired"
        return order.stored

    def visible(self, order_id: str, user: int) -> ModelOrder | None:
        """The order as ``user`` can reach it: None is ``order_not_found``."""
        order = self.model.get(order_id)
        if order is None or (order.stored == "deleted" and order.owner != user):
            return None
        return order

    def expect(self, response: httpx.Response, outcome: Outcome) -> dict[str, Any]:
        body: dict[str, Any] = response.json() if response.content else {}
        assert response.status_code == outcome.status, (outcome, response.text)
        if outcome.code is not None:
            assert body["code"] == outcome.code, (outcome, response.text)
        return body

    # --- money -------------------------------------------------------------------------

    @initialize(amounts=st.lists(st.integers(0, 9), min_size=len(USERS), max_size=len(USERS)))
    def fund_users(self, amounts: list[int]) -> None:
        """Start with some money (none for some users), so takes can succeed early."""
        for user, amount in zip(USERS, amounts, strict=True):
            if amount:
                self.recharge_as(user, amount, None)

    @rule(
        user=st.sampled_from(USERS),
        amount=st.sampled_from([1, 2, 3, 5, 40]),
        key=st.sampled_from([None, "r-1", "r-2"]),
    )
    def recharge(self, user: int, amount: int, key: str | None) -> None:
        self.recharge_as(user, amount, key)

    @precondition(lambda self: bool(self.recharge_keys))
    @rule(data=st.data(), same_amount=st.booleans())
    def replay_recharge(self, data: st.DataObject, same_amount: bool) -> None:
        """A retried recharge: the first answer again, credited once (or a conflict when
        the amount differs)."""
        user, key = data.draw(st.sampled_from(sorted(self.recharge_keys)))
        amount = self.recharge_keys[(user, key)][0] + (0 if same_amount else 1)
        self.recharge_as(user, amount, key)

    def recharge_as(self, user: int, amount: int, key: str | None) -> None:
        headers = {"Idempotency-Key": key} if key else {}
        previous = self.recharge_keys.get((user, key)) if key else None
        if previous is not None and previous[0] != amount:
            outcome, balance = fail(409, "idempotency_key_conflict"), None
        elif previous is not None:
            outcome, balance = ok(), previous[1]
        else:
            self.balances[user] += amount
            outcome, balance = ok(), self.balances[user]
            if key:
                self.recharge_keys[(user, key)] = (amount, balance)
        response = self.api.request(
            "POST", "/api/balance/recharge", user, json={"amount": amount}, headers=headers
        )
        body = self.expect(response, outcome)
        if balance is not None:
            assert body["balance"] == balance
            assert body["transaction"]["amount"] == amount

    # --- orders ------------------------------------------------------------------------

    @initialize(target=orders, owner=st.sampled_from(USERS))
    def first_order(self, owner: int) -> str:
        return self.create_order(owner, CATEGORIES[0])

    @rule(target=orders, owner=st.sampled_from(USERS), category=st.sampled_from(CATEGORIES))
    def create_order(self, owner: int, category: str) -> str:
        response = self.api.request(
            "POST", "/api/orders", owner, json={**ORDER, "category": category}
        )
        body = self.expect(response, ok(201))
        created, expires = parse_time(body["created_at"]), parse_time(body["expires_at"])
        assert expires - created == self.config.order_lifetime
        self.model[body["id"]] = ModelOrder(body["id"], owner, created, expires)
        return str(body["id"])

    @rule(order_id=orders, who=SOMEONE)
    def take(self, order_id: str, who: int) -> None:
        self.take_as(order_id, self.someone_but_owner(order_id, who), None)

    @rule(order_id=orders, who=SOMEONE, key=st.sampled_from(["t-1", "t-2"]))
    def take_with_key(self, order_id: str, who: int, key: str) -> None:
        self.take_as(order_id, self.someone_but_owner(order_id, who), key)

    @precondition(lambda self: any(order.takes for order in self.model.values()))
    @rule(data=st.data(), key=st.sampled_from([None, "t-1", "t-2"]))
    def replay_take(self, data: st.DataObject, key: str | None) -> None:
        """A taker takes the same order again: the same take back, no second charge."""
        taken = sorted((o.id, user) for o in self.model.values() for user in o.takes)
        order_id, user = data.draw(st.sampled_from(taken))
        self.take_as(order_id, user, key)

    def take_as(self, order_id: str, user: int, key: str | None) -> None:
        now = clock.now()
        order = self.visible(order_id, user)
        keyed = self.take_keys.get((user, key)) if key else None
        replay = False
        if order is None:
            outcome = fail(404, "order_not_found")
        elif order.owner == user:
            outcome = fail(403, "own_order")
        elif keyed is not None and keyed != order_id:
            outcome = fail(409, "idempotency_key_conflict")
        elif user in order.takes:
            outcome, replay = ok(), True
        elif self.status(order, now) == "expired":
            outcome = fail(409, "order_expired")
        elif self.status(order, now) != "active":
            outcome = fail(409, "order_not_active")
        elif len(order.takes) >= self.config.max_executors_per_order:
            outcome = fail(409, "order_full")
        elif self.balances[user] < self.config.take_price:
            outcome = fail(402, "insufficient_balance")
        else:
            outcome = ok()
        headers = {"Idempotency-Key": key} if key else {}
        response = self.api.request("POST", f"/api/orders/{order_id}/take", user, headers=headers)
        body = self.expect(response, outcome)
        if outcome.status != 200:
            return
        assert order is not None
        assert body["replayed"] is replay
        if replay:
            assert parse_time(body["take"]["taken_at"]) == order.takes[user]
        else:
            taken_at = parse_time(body["take"]["taken_at"])
            order.takes[user] = taken_at
            order.first_taken_at = order.first_taken_at or taken_at
            self.balances[user] -= self.config.take_price
            if key:
                self.take_keys[(user, key)] = order_id
        assert body["balance"] == self.balances[user]
        assert body["order"]["contact"] == ORDER["contact"]
        assert body["order"]["executors_count"] == len(order.takes)

    @rule(order_id=orders, who=OWNER_OR_ANYONE, change=st.sampled_from(sorted(EDITS)))
    def edit(self, order_id: str, who: int | None, change: str) -> None:
        self.edit_as(order_id, self.owner_or(order_id, who), change)

    def edit_as(self, order_id: str, actor: int, change: str) -> None:
        outcome = self.editable(order_id, actor)
        if outcome.status == 200 and change == "other_city":
            outcome = fail(409, "city_locked")
        elif outcome.status == 200 and change == "contact_in_text":
            outcome = fail(422, "contact_in_description")
        response = self.api.request("PUT", f"/api/orders/{order_id}", actor, json=EDITS[change])
        self.expect(response, outcome)

    @rule(target=orders, order_id=consumes(orders), who=OWNER_OR_ANYONE)
    def delete(self, order_id: str, who: int | None) -> Any:
        """A deleted order leaves the bundle: later steps reach it through act_on_gone."""
        actor = self.owner_or(order_id, who)
        outcome = self.editable(order_id, actor)
        response = self.api.request("DELETE", f"/api/orders/{order_id}", actor)
        if outcome.status != 200:
            self.expect(response, outcome)
            return order_id
        self.expect(response, ok(204))
        self.model[order_id].stored = "deleted"
        self.gone.append(order_id)
        return multiple()

    @rule(
        data=st.data(),
        actor=st.sampled_from(USERS),
        action=st.sampled_from(["take", "edit", "respond", "complain"]),
    )
    def act_on_gone(self, data: st.DataObject, actor: int, action: str) -> None:
        """Deleted orders (404 for all but the owner) and an id that never existed."""
        order_id = data.draw(st.sampled_from([MISSING_ORDER, *self.gone]))
        if action == "take":
            self.take_as(order_id, actor, None)
        elif action == "edit":
            self.edit_as(order_id, actor, "description")
        elif action == "respond":
            self.respond_as(order_id, actor)
        else:
            self.complain_as(order_id, actor, REASONS[0])

    def owned(self, order_id: str, user: int) -> tuple[ModelOrder | None, Outcome | None]:
        order = self.visible(order_id, user)
        if order is None:
            return None, fail(404, "order_not_found")
        if order.owner != user:
            return None, fail(403, "not_owner")
        return order, None

    def editable(self, order_id: str, user: int) -> Outcome:
        order, refusal = self.owned(order_id, user)
        if order is None:
            assert refusal is not None
            return refusal
        if order.takes:
            return fail(409, "order_already_taken")
        if self.status(order, clock.now()) != "active":
            return fail(409, "order_not_active")
        return ok()

    @rule(order_id=orders, who=OWNER_OR_ANYONE)
    def respond(self, order_id: str, who: int | None) -> None:
        self.respond_as(order_id, self.owner_or(order_id, who))

    def respond_as(self, order_id: str, actor: int) -> None:
        now = clock.now()
        order, refusal = self.owned(order_id, actor)
        outcome = refusal or ok()
        if order is not None and not order.takes:
            outcome = fail(409, "no_takes")
        elif (
            order is not None
            and order.responded_at is None
            and self.status(order, now) not in ("active", "expired")
        ):
            outcome = fail(409, "order_not_active")
        response = self.api.request("POST", f"/api/orders/{order_id}/respond", actor)
        body = self.expect(response, outcome)
        if outcome.status == 200:
            assert order is not None
            if order.responded_at is None:
                order.responded_at = parse_time(body["responded_at"])
            assert parse_time(body["responded_at"]) == order.responded_at

    @rule(order_id=orders, who=OWNER_OR_ANYONE, executor=SOMEONE)
    def complete(self, order_id: str, who: int | None, executor: int) -> None:
        actor = self.owner_or(order_id, who)
        self.complete_as(order_id, actor, self.taker_or(order_id, executor))

    def taken_order(self, data: st.DataObject) -> ModelOrder:
        taken = sorted(order.id for order in self.model.values() if order.takes)
        return self.model[data.draw(st.sampled_from(taken))]

    @precondition(lambda self: any(order.takes for order in self.model.values()))
    @rule(data=st.data())
    def owner_responds(self, data: st.DataObject) -> None:
        """The owner of a taken order reacts: the step that stops the no-response clock."""
        order = self.taken_order(data)
        self.respond_as(order.id, order.owner)

    @precondition(lambda self: any(order.takes for order in self.model.values()))
    @rule(
        data=st.data(),
        action=st.sampled_from(["complete", "review"]),
        executor=st.integers(0, 2),
        rating=st.integers(1, 5),
    )
    def owner_rates_a_taker(
        self, data: st.DataObject, action: str, executor: int, rating: int
    ) -> None:
        """The owner of a taken order marks it done by one of its takers, or rates one."""
        order = self.taken_order(data)
        executor = self.taker_or(order.id, executor)
        if action == "complete":
            self.complete_as(order.id, order.owner, executor)
        else:
            self.review_as(order.id, order.owner, executor, rating)

    def complete_as(self, order_id: str, actor: int, executor: int) -> None:
        now = clock.now()
        order, refusal = self.owned(order_id, actor)
        counted = False
        if order is None:
            assert refusal is not None
            outcome = refusal
        elif order.stored == "completed":
            same = order.completed_by == executor
            outcome = ok() if same else fail(409, "order_not_active")
        elif executor not in order.takes:
            outcome = fail(409, "executor_not_taker")
        elif self.status(order, now) not in ("active", "expired"):
            outcome = fail(409, "order_not_active")
        elif now > order.created_at + self.config.completion_window:
            outcome = fail(409, "completion_window_closed")
        else:
            outcome, counted = ok(), True
        response = self.api.request(
            "POST", f"/api/orders/{order_id}/complete", actor, json={"executor_id": executor}
        )
        body = self.expect(response, outcome)
        if counted:
            assert order is not None
            order.stored, order.completed_by = "completed", executor
            order.responded_at = order.responded_at or parse_time(body["responded_at"])
            self.completed_count[executor] += 1
        if outcome.status == 200:
            assert body["status"] == "completed"
            assert body["completed_executor_id"] == executor
            self.check_profile(executor)

    # --- whom a strategy's draw stands for ----------------------------------------------

    def owner_or(self, order_id: str, who: int | None) -> int:
        """``who``, or the order's owner when the draw was None."""
        if who is not None:
            return who
        order = self.model.get(order_id)
        return order.owner if order is not None else USERS[0]

    def someone_but_owner(self, order_id: str, who: int) -> int:
        """A pool user as drawn, or for a small number one of the users who are not the
        order's owner (so that most takes are not refused as ``own_order``)."""
        if who in USERS:
            return who
        owner = self.model[order_id].owner
        others = [user for user in USERS if user != owner]
        return others[who % len(others)]

    def taker_or(self, order_id: str, who: int) -> int:
        """A pool user as drawn, or for a small number one of the order's takers."""
        if who in USERS:
            return who
        takers = sorted(self.model[order_id].takes)
        return takers[who % len(takers)] if takers else USERS[who % len(USERS)]

    # --- reviews and complaints ----------------------------------------------------------

    @rule(order_id=orders, who=OWNER_OR_ANYONE, executor=SOMEONE, rating=st.integers(1, 5))
    def review(self, order_id: str, who: int | None, executor: int, rating: int) -> None:
        actor = self.owner_or(order_id, who)
        self.review_as(order_id, actor, self.taker_or(order_id, executor), rating)

    @precondition(lambda self: bool(self.reviews or self.complaints))
    @rule(data=st.data())
    def review_or_complain_again(self, data: st.DataObject) -> None:
        """The same review, or the same complaint, a second time."""
        choices = [("review", *r) for r in sorted(self.reviews)]
        choices += [("complaint", order_id, user, 0) for order_id, user in sorted(self.complaints)]
        kind, order_id, author, executor = data.draw(st.sampled_from(choices))
        if kind == "review":
            self.review_as(order_id, author, executor, 5)
        else:
            self.complain_as(order_id, author, REASONS[-1])

    def review_as(self, order_id: str, actor: int, executor: int, rating: int) -> None:
        now = clock.now()
        order = self.visible(order_id, actor)
        if order is None:
            outcome = fail(404, "order_not_found")
        elif order.owner != actor:
            outcome = fail(403, "not_owner")
        elif executor not in order.takes:
            outcome = fail(409, "executor_not_taker")
        elif now > order.created_at + self.config.review_window:
            outcome = fail(409, "review_window_closed")
        elif (order_id, actor, executor) in self.reviews:
            outcome = fail(409, "already_reviewed")
        else:
            outcome = ok(201)
            self.reviews.add((order_id, actor, executor))
            self.ratings[executor].append(rating)
        response = self.api.request(
            "POST",
            "/api/reviews/client",
            actor,
            json={"order_id": order_id, "executor_id": executor, "rating": rating},
        )
        self.expect(response, outcome)
        if outcome.status == 201:
            self.check_profile(executor)

    @rule(order_id=orders, who=SOMEONE, reason=st.sampled_from(REASONS))
    def complain(self, order_id: str, who: int, reason: str) -> None:
        self.complain_as(order_id, self.taker_or(order_id, who), reason)

    def complain_as(self, order_id: str, user: int, reason: str) -> None:
        order = self.visible(order_id, user)
        if order is None:
            outcome = fail(404, "order_not_found")
        elif user not in order.takes:
            outcome = fail(403, "not_a_taker")
        elif (order_id, user) in self.complaints:
            outcome = fail(409, "already_complained")
        else:
            outcome = ok(201)
            self.complaints.add((order_id, user))
            self.complaints_count[order.owner] += 1
        response = self.api.request(
            "POST", "/api/reviews/executor", user, json={"order_id": order_id, "reason": reason}
        )
        self.expect(response, outcome)
        if order is not None and outcome.status == 201:
            self.check_profile(order.owner)

    def check_profile(self, user: int) -> None:
        profile = self.expect(self.api.request("GET", f"/api/users/{user}"), ok())
        ratings = self.ratings[user]
        assert profile["completed_orders_count"] == self.completed_count[user]
        assert profile["reviews_count"] == len(ratings)
        expected = round(sum(ratings) / len(ratings), 2) if ratings else None
        assert profile["average_rating"] == expected
        assert profile["complaints_count"] == self.complaints_count[user]

    # --- time ----------------------------------------------------------------------------

    @rule(minutes=st.sampled_from(SHORT_MOVES))
    def pass_minutes(self, minutes: int) -> None:
        clock.advance(timedelta(minutes=minutes))

    @rule(minutes=st.sampled_from(LONG_MOVES))
    def pass_hours_or_days(self, minutes: int) -> None:
        clock.advance(timedelta(minutes=minutes))

    @rule()
    def run_auto_close(self) -> None:
        """The job closes unanswered orders (refunding every take once), then expires."""
        now = clock.now()
        for order in self.model.values():
            due = self.status(order, now) == "closed_no_response"
            if due and order.stored != "closed_no_response":
                order.stored = "closed_no_response"
                for executor in order.takes:
                    if executor not in order.refunded:
                        order.refunded.add(executor)
                        self.balances[executor] += self.config.take_price
        for order in self.model.values():
            if order.stored == "active" and now >= order.expires_at:
                order.stored = "expired"
        self.api.close_due_orders()

    # --- after every step ------------------------------------------------------------------

    @invariant()
    def balances_agree(self) -> None:
        for user in USERS:
            body = self.expect(self.api.request("GET", "/api/balance", user), ok())
            assert body["balance"] == self.balances[user], user

    @invariant()
    def statuses_agree(self) -> None:
        """Every order's status as of now, from its owner's list (deleted orders are left
        out of it: the owner still reads them one by one)."""
        now = clock.now()
        seen: dict[str, dict[str, Any]] = {}
        for owner in sorted({order.owner for order in self.model.values()}):
            response = self.api.request("GET", "/api/users/me/orders?limit=100", owner)
            seen.update((item["id"], item) for item in self.expect(response, ok())["items"])
        for order in self.model.values():
            if order.stored == "deleted":
                assert order.id not in seen
                response = self.api.request("GET", f"/api/orders/{order.id}", order.owner)
                seen[order.id] = self.expect(response, ok())
            body = seen[order.id]
            assert body["status"] == self.status(order, now), order
            assert body["executors_count"] == len(order.takes)
        assert len(seen) == len(self.model)

    @invariant()
    def ledger_is_consistent(self) -> None:
        violations = self.api.audit()
        assert not violations, violations


@pytest.fixture(params=sorted(TIMELINES))
def runner(request: pytest.FixtureRequest, database_url: str) -> Iterator[Runner]:
    model_runner = Runner(make_settings(database_url, **TIMELINES[request.param]))
    try:
        yield model_runner
    finally:
        model_runner.close()


def test_marketplace_agrees_with_its_model(runner: Runner) -> None:
    run_state_machine_as_test(
        lambda: Marketplace(runner),
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
