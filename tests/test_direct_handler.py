"""The direct handler of simple routes (``srochno.state.direct_handler``) answers as
FastAPI's own handler does: which routes take it, and the same 422 bodies for bad
parameters, with FastAPI's handler swapped in for comparison."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, request_response

from srochno.state import UnitOfWorkRoute, direct_handler
from tests.helpers import auth

BAD_REQUESTS = (
    "/api/orders/bad%00id",
    "/api/orders/" + "x" * 65,
    "/api/orders?limit=0&offset=-1",
    "/api/orders?city=%00&radius_km=-1&cursor=" + "c" * 40,
    "/api/users/me/takes?limit=abc",
    "/api/orders?near=91,0&limit=abc",  # a present optional one wrong beside a good one
)
GOOD_REQUESTS = (  # optional parameters absent, present, repeated, unknown ones beside them
    "/api/orders",
    "/api/orders?category=plumbing&limit=5&offset=1",
    "/api/orders?city=%20%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&foo=1",
    "/api/orders?near=55.75,37.61&radius_km=3&category=plumbing",
    "/api/orders?near=55.75,37.61&radius_km=3000&limit=2&limit=3",
    "/api/users/me/takes?limit=2",
    "/api/users/me/orders",
)


def routes(app: FastAPI) -> dict[str, UnitOfWorkRoute]:
    return {
        f"{method} {route.path}": route
        for route in app.routes
        if isinstance(route, UnitOfWorkRoute)
        for method in route.methods or ()
    }


def test_the_hot_routes_without_a_body_take_the_direct_handler(app: FastAPI) -> None:
    by_name = routes(app)
    for name in (
        "GET /api/orders",
        "GET /api/orders/{order_id}",
        "GET /api/users/me",
        "POST /api/orders/{order_id}/take",
    ):
        assert direct_handler(by_name[name]) is not None, name
        # called without FastAPI's request wrapper (``srochno.state.direct_app``)
        assert by_name[name].app.__qualname__ == "direct_app.<locals>.app", name
    # A body is FastAPI's to read and validate.
    assert direct_handler(by_name["POST /api/orders"]) is None
    assert by_name["POST /api/orders"].app.__qualname__ != "direct_app.<locals>.app"
    assert direct_handler(by_name["PUT /api/users/me/preferences"]) is None


@pytest.fixture
def fastapi_handlers(app: FastAPI) -> Iterator[None]:
    """Every domain route served by FastAPI's own handler (inside the unit of work)."""
    saved = {}
    for route in routes(app).values():
        saved[id(route)] = route.app
        plain = APIRoute.get_route_handler(route)

        async def in_unit_of_work(request, route=route, plain=plain):  # type: ignore[no-untyped-def]
            from srochno.db import UnitOfWork
            from srochno.state import UNIT_OF_WORK, database_of, limits_of

            work = UnitOfWork(
                database_of(request), limits_of(request, sorted(route.methods), route.path)
            )
            request.scope[UNIT_OF_WORK] = work
            try:
                response = await plain(request)
            except BaseException as error:
                await work.finish(commit=False, error=error)
                raise
            await work.finish(commit=True)
            return response

        route.app = request_response(in_unit_of_work)
    yield
    for route in routes(app).values():
        route.app = saved[id(route)]


async def answers(client: httpx.AsyncClient) -> list[tuple[int, object]]:
    headers = auth(5551)
    result = []
    for target in BAD_REQUESTS:
        response = await client.get(target, headers=headers)
        result.append((response.status_code, response.json()))
    for target in GOOD_REQUESTS:
        response = await client.get(target, headers=headers)
        result.append((response.status_code, response.json()))
    response = await client.post("/api/orders/bad%00id/take", headers=headers)
    result.append((response.status_code, response.json()))
    response = await client.get("/api/users/me")
    result.append((response.status_code, response.json()))
    response = await client.get("/api/orders/AAAAAAAAAAAA", headers=headers)  # a domain error
    result.append((response.status_code, response.json()))
    return result


async def test_bad_parameters_answer_as_fastapi_does(
    app: FastAPI, client: httpx.AsyncClient, request: pytest.FixtureRequest
) -> None:
    direct = await answers(client)
    bad, good = len(BAD_REQUESTS), len(GOOD_REQUESTS)
    assert [status for status, _ in direct] == [422] * bad + [200] * good + [422, 401, 404]
    request.getfixturevalue("fastapi_handlers")
    assert await answers(client) == direct
