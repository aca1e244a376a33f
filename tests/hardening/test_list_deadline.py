"""The public list leaves out an order past its no-response deadline at once, before the
auto-close job has run (SPEC §5): in ``items`` and in ``total``, whatever the filters."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from srochno import clock
from tests.helpers import auth, create_order, recharge, scalar, take

OWNER = 9301
EXECUTOR = 9302
VIEWER = 9303
FILTERS = [
    {},
    {"city": "Москва"},
    {"city": "  москва "},
    {"category": "plumbing"},
    {"city": "Москва", "category": "plumbing"},
]


async def listed(client: Any, params: dict[str, str], viewer: int | None) -> tuple[set[str], int]:
    headers = auth(viewer) if viewer is not None else {}
    response = await client.get("/api/orders", params={**params, "limit": 100}, headers=headers)
    assert response.status_code == 200, response.text
    page = response.json()
    ids = {item["id"] for item in page["items"]}
    assert page["total"] == len(page["items"])  # one page holds them all
    return ids, page["total"]


@pytest.mark.parametrize("viewer", [None, VIEWER, EXECUTOR], ids=["anonymous", "viewer", "taker"])
async def test_unanswered_order_leaves_the_list_at_its_deadline(client, engine, settings, viewer):
    await recharge(client, EXECUTOR, 10)
    unanswered = (await create_order(client, OWNER))["id"]
    answered = (await create_order(client, OWNER))["id"]
    untaken = (await create_order(client, OWNER))["id"]
    for order_id in (unanswered, answered):
        assert (await take(client, order_id, EXECUTOR)).status_code == 200
    response = await client.post(f"/api/orders/{answered}/respond", headers=auth(OWNER))
    assert response.status_code == 200, response.text
    everything = {unanswered, answered, untaken}

    clock.advance(settings.no_response_timeout - timedelta(seconds=1))
    for params in FILTERS:
        assert await listed(client, params, viewer) == (everything, 3), params

    clock.advance(timedelta(seconds=1))  # exactly at the deadline
    for params in FILTERS:
        assert await listed(client, params, viewer) == ({answered, untaken}, 2), params
    order = await client.get(f"/api/orders/{unanswered}")
    assert order.json()["status"] == "closed_no_response"
    # Nothing closed it in the database: the list follows the rule, not the job.
    assert await scalar(engine, "SELECT status FROM orders WHERE id = :id", id=unanswered) == (
        "active"
    )


async def test_other_filters_still_apply(client, settings):
    await recharge(client, EXECUTOR, 10)
    taken = (await create_order(client, OWNER))["id"]
    elsewhere = (await create_order(client, OWNER, city="Казань", category="electrical"))["id"]
    assert (await take(client, taken, EXECUTOR)).status_code == 200
    clock.advance(settings.no_response_timeout)
    assert await listed(client, {}, None) == ({elsewhere}, 1)
    assert await listed(client, {"city": "Москва"}, None) == (set(), 0)
    assert await listed(client, {"category": "plumbing"}, None) == (set(), 0)
    assert await listed(client, {"city": "Казань"}, None) == ({elsewhere}, 1)
    assert await listed(client, {"category": "electrical"}, VIEWER) == ({elsewhere}, 1)
