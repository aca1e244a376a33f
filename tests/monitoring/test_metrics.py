"""GET /metrics: counters move as the API is used; the token; streams out of latency."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from srochno.edge import RequestEdge
from srochno.enums import AdminRole
from srochno.monitoring.scrape import authorized
from srochno.orders.cancel import cancel_order
from srochno.staff.service import create_operator
from tests.helpers import create_order, recharge, take
from tests.payments.support import create_invoice, pay


def samples(text: str) -> dict[str, float]:
    """Prometheus text as {"name{labels}": value} (a label value may hold braces)."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


async def scrape(client: httpx.AsyncClient, **headers: str) -> dict[str, float]:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def delta(after: dict[str, float], before: dict[str, float], name: str) -> float:
    return after.get(name, 0.0) - before.get(name, 0.0)


CREATED = 'srochno_http_requests_total{method="POST",route="/api/orders",status="201"}'
TAKEN = (
    'srochno_http_requests_total{method="POST",route="/api/orders/{order_id}/take",status="200"}'
)
LATENCY = 'srochno_http_request_duration_seconds_count{method="POST",route="/api/orders"}'


async def test_counters_follow_the_api(client, app):
    before = await scrape(client)
    order = await create_order(client, 100)
    await recharge(client, 201, 5)
    assert (await take(client, order["id"], 201)).status_code == 200
    assert (await take(client, order["id"], 201)).json()["replayed"] is True
    await client.get("/no/such/path")
    async with app.state.db.transaction() as conn:
        operator = await create_operator(conn, "boss", AdminRole.admin, "long enough password")
        await cancel_order(conn, operator, order["id"], "test")
    after = await scrape(client)

    assert delta(after, before, "srochno_orders_created_total") == 1
    assert delta(after, before, "srochno_takes_total") == 1  # the replay is not a take
    assert delta(after, before, 'srochno_refunds_total{reason="order_cancelled"}') == 1
    assert delta(after, before, 'srochno_refunded_rub_total{reason="order_cancelled"}') == 2
    assert delta(after, before, CREATED) == 1
    assert delta(after, before, TAKEN) == 2
    assert delta(after, before, LATENCY) == 1
    unmatched = 'srochno_http_requests_total{method="GET",route="unmatched",status="404"}'
    assert delta(after, before, unmatched) == 1
    assert after['srochno_queue_depth{queue="auto_close"}'] == 0
    for defined in ("srochno_payments", "srochno_notifications_failed", "srochno_rate_limited"):
        assert f"# TYPE {defined}_total counter" in (await client.get("/metrics")).text


async def test_the_token_is_enforced(client, override_settings):
    override_settings(metrics_token="s3cret-token")
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "metrics_unauthorized"
    assert wrong.headers["www-authenticate"] == "Bearer"
    await scrape(client, Authorization="Bearer s3cret-token")


def test_authorized():
    assert authorized(None, None)
    assert authorized("Bearer x", "x")
    assert authorized("bearer x", "x")
    assert not authorized("Basic x", "x")
    assert not authorized("Bearer xx", "x")
    assert not authorized(None, "x")


async def test_streams_are_counted_but_left_out_of_latency():
    async def ok(request):
        return PlainTextResponse("ok")

    inner = Starlette(routes=[Route("/api/things/stream", ok), Route("/api/things/{thing_id}", ok)])
    app = RequestEdge(
        inner, limiter_of=lambda app: None, database_of=lambda app: None, body_timeout=10
    )
    from srochno.metrics import HTTP_LATENCY, HTTP_REQUESTS

    def count(route: str) -> float:
        return HTTP_REQUESTS.labels("GET", route, "200")._value.get()

    def observed(route: str) -> float:
        return sum(b.get() for b in HTTP_LATENCY.labels("GET", route)._buckets)

    before = (count("/api/things/stream"), observed("/api/things/stream"))
    before_item = (count("/api/things/{thing_id}"), observed("/api/things/{thing_id}"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await client.get("/api/things/stream")
        await client.get("/api/things/42")
    assert count("/api/things/stream") == before[0] + 1
    assert observed("/api/things/stream") == before[1]
    assert count("/api/things/{thing_id}") == before_item[0] + 1
    assert observed("/api/things/{thing_id}") == before_item[1] + 1


def test_the_grafana_dashboard_reads_only_metrics_that_exist():
    import json
    import re
    from pathlib import Path

    from prometheus_client import REGISTRY

    dashboard = json.loads((Path(__file__).parents[2] / "docs/grafana/srochno.json").read_text())
    used = {
        name
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"srochno_[a-z_]+", target["expr"])
    }
    exposed = {"srochno_queue_depth"}
    for metric in REGISTRY.collect():  # families without a sample yet count too
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}
        exposed |= {metric.name + suffix for suffix in suffixes.get(metric.type, [""])}
    assert used
    assert used <= exposed, used - exposed


async def test_a_credited_payment_is_counted_once(client, settings, bot_api):
    before = await scrape(client)
    invoice = await create_invoice(client, 300, 40)
    for _ in range(2):  # a redelivered update credits, and counts, nothing more
        await pay(client, settings, 300, invoice, "metrics-charge-1")
    after = await scrape(client)
    assert delta(after, before, 'srochno_payments_total{outcome="paid"}') == 1
