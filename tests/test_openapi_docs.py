"""Every endpoint that touches the database documents its 503 ``database_unavailable``
(SPEC §3), in the shape it really has; ``/health`` documents its own 503."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from srochno import health
from srochno.app import create_app
from srochno.auth import address_router as address
from srochno.auth import router as web_auth
from srochno.auth.dependencies import current_user, optional_user
from srochno.bot import router as bot
from srochno.errors import DatabaseUnavailable
from srochno.events import router as live
from srochno.ledger import router as ledger
from srochno.notifications import router as unsubscribe
from srochno.orders import router as orders
from srochno.payments import router as payments
from srochno.payments import topups_router as topups
from srochno.push import router as push
from srochno.reviews import router as reviews
from srochno.state import DatabaseDep, ReadConnection, Work, WriteConnection
from srochno.users import router as users
from tests.conftest import make_settings

# What reaches the database: the connection and database dependencies, and
# authentication (it reads the user on the request's connection).
DATABASE_CALLS = {
    dependency.__metadata__[0].dependency
    for dependency in (DatabaseDep, ReadConnection, WriteConnection, Work)
} | {optional_user, current_user}
# Operations that never reach the database (the catalog is a constant).
WITHOUT_DATABASE = {
    "GET /api/categories",
    "GET /health/live",
    "GET /api/email/unsubscribe",
    "GET /api/email/confirm",
    "GET /api/push/key",
}
UNAVAILABLE = {"detail": DatabaseUnavailable.message, "code": DatabaseUnavailable.code}


@pytest.fixture(scope="module")
def application() -> FastAPI:
    # No lifespan: the schema is built from the routes alone, no database needed.
    return create_app(make_settings("postgresql://nobody@127.0.0.1:1/none"), run_jobs=False)


def calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from calls(sub)


def operations() -> dict[str, APIRoute]:
    """Every operation of the routers the app includes (the schema must hold exactly these,
    so a router left out here fails the test below)."""
    routers = (
        health.router,
        users.router,
        orders.router,
        ledger.router,
        payments.router,
        topups.router,
        topups.notifications,
        reviews.router,
        bot.router,
        live.router,
        web_auth.router,
        address.router,
        unsubscribe.router,
        push.router,
    )
    return {
        f"{method} {route.path}": route
        for router in routers
        for route in router.routes
        if isinstance(route, APIRoute) and route.include_in_schema
        for method in sorted(route.methods)
    }


def test_the_routes_without_a_database_are_the_known_ones():
    """The list of exempt operations is computed, not trusted: a route is exempt only if
    nothing it depends on asks for the database."""
    found = {
        name
        for name, route in operations().items()
        if not DATABASE_CALLS & set(calls(route.dependant))
    }
    assert found == WITHOUT_DATABASE


def test_every_database_operation_documents_503_database_unavailable(application):
    spec = application.openapi()
    documented = {
        f"{method.upper()} {path}": operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    assert set(documented) == set(operations())
    touching = sorted(set(documented) - WITHOUT_DATABASE - {"GET /health", "GET /health/ready"})
    assert len(touching) >= 20, touching  # every domain's routes are in the schema
    missing = []
    for name in touching:
        answer = documented[name]["responses"].get("503")
        examples = (answer or {}).get("content", {}).get("application/json", {}).get("examples")
        values = [example["value"] for example in (examples or {}).values()]
        if UNAVAILABLE not in values:
            missing.append(name)
    assert not missing, f"no documented 503 database_unavailable: {missing}"


def test_health_documents_its_own_503(application):
    answer = application.openapi()["paths"]["/health"]["get"]["responses"]["503"]
    schema = answer["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Health"}


def test_catalog_needs_no_503(application):
    responses = application.openapi()["paths"]["/api/categories"]["get"]["responses"]
    assert "503" not in responses


def test_the_tma_scheme_is_optional_where_signing_in_is(application):
    """Authorize in the docs page: required where the route needs a user, optional
    (`{}` beside it) where anybody may call it and a signed-in user sees more."""
    paths = application.openapi()["paths"]
    assert paths["/api/orders"]["get"]["security"] == [{"tma": []}, {}]
    assert paths["/api/orders/{order_id}"]["get"]["security"] == [{"tma": []}, {}]
    assert paths["/api/users/me"]["get"]["security"] == [{"tma": []}]
    assert paths["/api/orders"]["post"]["security"] == [{"tma": []}]
