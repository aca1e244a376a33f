"""Service endpoints and cross-cutting behaviour: health, outages, errors, docs, CORS, logs."""

from __future__ import annotations

import httpx
import pytest

from srochno.app import create_app
from tests.conftest import make_settings
from tests.helpers import ORDER, auth
from tests.proxy import Proxy, server_address


async def test_health(client):
    response = await client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}


@pytest.fixture
async def outage_client(database_url):
    """A client of an app whose database connection passes through a cuttable proxy."""
    proxy = Proxy(server_address(database_url))
    await proxy.start()
    settings = make_settings(
        proxy.url(database_url), db_command_timeout_seconds=1, db_connect_timeout_seconds=1
    )
    app = create_app(settings, run_jobs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://srochno.test") as c:
            yield c, proxy


async def test_database_outage_is_503_and_recovers_without_restart(outage_client):
    client, proxy = outage_client
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/api/users/me", headers=auth(5))).status_code == 200

    await proxy.cut()
    health = await client.get("/health")
    assert (health.status_code, health.json()) == (503, {"status": "unhealthy"})
    for method, path, kwargs in [
        ("GET", "/api/users/me", {"headers": auth(5)}),
        ("GET", "/api/orders", {}),
        ("POST", "/api/orders", {"headers": auth(5), "json": ORDER}),
        ("GET", "/api/users/5", {}),
    ]:
        response = await client.request(method, path, **kwargs)
        assert response.status_code == 503, response.text
        assert response.json() == {
            "detail": "The database is unavailable, try again shortly",
            "code": "database_unavailable",
        }

    await proxy.start()
    assert (await client.get("/health")).status_code == 200
    assert (await client.get("/api/users/me", headers=auth(5))).status_code == 200
    assert (await client.post("/api/orders", headers=auth(5), json=ORDER)).status_code == 201


async def test_connections_dropped_mid_flight_recover(outage_client):
    """Open pooled connections die (a database restart); the next requests reconnect."""
    client, proxy = outage_client
    assert (await client.get("/api/users/me", headers=auth(6))).status_code == 200
    await proxy.cut()
    await proxy.start()
    statuses = [(await client.get("/api/users/me", headers=auth(6))).status_code for _ in range(3)]
    assert set(statuses) <= {200, 503}
    assert statuses[-1] == 200


async def test_unknown_route_and_method_have_the_error_shape(client):
    response = await client.get("/api/nope")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found", "code": "not_found"}
    response = await client.patch("/api/orders")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


async def test_request_id_is_echoed_or_made(client):
    response = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert response.headers["X-Request-ID"] == "abc-123"
    made = await client.get("/health")
    assert len(made.headers["X-Request-ID"]) == 32


async def test_openapi_documents_error_responses(client):
    schema = (await client.get("/openapi.json")).json()
    take = schema["paths"]["/api/orders/{order_id}/take"]["post"]["responses"]
    assert {"200", "401", "402", "403", "404", "409", "422"} <= set(take)
    assert "order_full" in take["409"]["description"]
    assert take["402"]["content"]["application/json"]["schema"]["$ref"].endswith("ErrorResponse")
    me = schema["paths"]["/api/users/me"]["get"]["responses"]
    assert "auth_missing" in me["401"]["description"]
    assert (await client.get("/docs")).status_code == 200


async def test_cors_from_settings(database_url):
    app = create_app(
        make_settings(database_url, cors_origins="https://app.example.com"), run_jobs=False
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            preflight = await c.options(
                "/api/orders",
                headers={
                    "Origin": "https://app.example.com",
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization,content-type",
                },
            )
            assert preflight.status_code == 200
            assert preflight.headers["access-control-allow-origin"] == "https://app.example.com"
            other = await c.get("/health", headers={"Origin": "https://evil.example.com"})
            assert "access-control-allow-origin" not in other.headers


async def test_stalled_database_fails_fast_and_recovers(outage_client):
    """The database stops answering without closing anything (a network partition)."""
    client, proxy = outage_client
    assert (await client.get("/api/users/me", headers=auth(7))).status_code == 200
    proxy.stall()
    health = await client.get("/health")
    assert (health.status_code, health.json()) == (503, {"status": "unhealthy"})
    response = await client.get("/api/users/me", headers=auth(7))
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    proxy.resume()
    statuses = [(await client.get("/api/users/me", headers=auth(7))).status_code for _ in range(3)]
    assert statuses[-1] == 200
    assert (await client.get("/health")).status_code == 200
