"""Every operation of the app's own OpenAPI schema, fuzzed with Schemathesis.

Each operation runs as four tests: anonymous, the owner of the seeded orders, a funded
executor who took one of them, and a user without money. Every built-in check is on:
no 5xx, documented status codes, content types, headers and response schemas, schema-valid
requests accepted and invalid ones rejected, 405s with a correct ``Allow``.

The seeded orders have fixed ids, added to the schema as examples of every order id (path
and body), so generated requests hit real rows as well as missing ones.

``FUZZ_EXAMPLES`` sets the generated cases per operation and viewer (default 30).
"""

from __future__ import annotations

import copy
import functools
import os
from collections.abc import Iterator
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import allow_header_conformance

from srochno.app import create_app
from srochno.catalog import CATEGORIES
from srochno.orders import service as order_service
from srochno.schemas import clean_text
from tests.conftest import make_settings
from tests.fakebotapi import FakeBotAPI
from tests.fakeyookassa import FakeYooKassa
from tests.helpers import ORDER, auth, init_data

OWNER, EXECUTOR, PAUPER = 7001, 7002, 7003
VIEWERS = (None, OWNER, EXECUTOR, PAUPER)
OPEN, TAKEN, SPARE = "fuzzOpen0001", "fuzzTaken001", "fuzzSpare001"
ORDER_IDS = [OPEN, TAKEN, SPARE]
USER_IDS = [OWNER, EXECUTOR, PAUPER]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))

# Refusals that depend on the state, not on the request: a schema cannot describe them.
STATE_REFUSALS = {
    (402, "insufficient_balance"),
    (422, "contact_in_description"),
    (422, "topup_out_of_range"),  # TOPUP_MIN_RUB..TOPUP_MAX_RUB narrow the schema's range
    (422, "receipt_email_required"),  # until the user has given one
    # A push endpoint's host must be a known push service (PUSH_SERVICE_HOSTS), its port a
    # number; p256dh a point of the curve: what a JSON Schema cannot say.
    (422, "push_endpoint_invalid"),
    (422, "push_endpoint_not_allowed"),
    (422, "push_keys_invalid"),
}
# Integers beyond 2**53 cannot be compared exactly as JSON numbers (doubles): a generated
# "valid" id just above 2**63 - 1 is an artefact of the generator, not of the API.
JSON_EXACT_LIMIT = 2**53
# Text fields are trimmed (of Unicode White_Space) before their lengths are checked, which a
# JSON Schema cannot say: a body whose validity flips when its text is trimmed is judged by
# the trimmed text, as the API judges it.
TRIMMED_FIELDS = frozenset(
    {"description", "city", "contact", "comment", "method", "cities", "email"}
)
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2028\u2029\u202f\u205f\u3000" + "".join(
    chr(code) for code in range(0x2000, 0x200B)
)


def authorization(viewer: int | None) -> dict[str, str]:
    """A freshly signed initData: fresh for every request, so it never expires mid-run."""
    return {"Authorization": f"tma {init_data(viewer)}"} if viewer else {}


def openapi_with_seeded_ids() -> dict[str, Any]:
    """The app's OpenAPI document, with the seeded ids as examples of every id it takes."""
    app = create_app(make_settings("postgresql://unused@localhost/unused"), run_jobs=False)
    document = app.openapi()
    for operations in document["paths"].values():
        for operation in operations.values():
            # Each case is sent as a viewer (the `viewer` parameter): the `tma` scheme is
            # left out, or Schemathesis would count a request without the header, then
            # signed by the test, as invalid data accepted. The 401s are tested in tests/auth.
            operation.pop("security", None)
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "order_id":
                    parameter["schema"]["examples"] = ORDER_IDS
                elif parameter["name"] in ("user_id", "executor_id"):
                    parameter["schema"]["examples"] = USER_IDS
    models = document["components"]["schemas"]
    for name in ("ClientReviewIn", "ComplaintIn"):
        models[name]["properties"]["order_id"]["examples"] = ORDER_IDS
    for name in ("ClientReviewIn", "CompleteIn"):
        models[name]["properties"]["executor_id"]["examples"] = USER_IDS
    return document


DOCUMENT = openapi_with_seeded_ids()
schema = schemathesis.openapi.from_dict(copy.deepcopy(DOCUMENT))


@functools.cache
def body_validator(path: str, method: str) -> jsonschema_rs.Validator | None:
    """The documented JSON body of an operation, or None when it takes none."""
    body = DOCUMENT["paths"][path][method].get("requestBody", {})
    media = body.get("content", {}).get("application/json")
    if media is None:
        return None
    return jsonschema_rs.validator_for({**media["schema"], "components": DOCUMENT["components"]})


def _trim(value: Any) -> Any:
    if isinstance(value, str):
        try:  # the API's own cleaning: white space and invisible characters, lone surrogates
            return clean_text(value)
        except ValueError:
            return None  # not valid Unicode text: refused, whatever the schema says
    if isinstance(value, list):
        return [_trim(item) for item in value]
    return value


def validity_flips_when_trimmed(case: Any) -> bool:
    validator = body_validator(case.operation.path, case.method.lower())
    if validator is None or not isinstance(case.body, dict):
        return False
    trimmed = {k: _trim(v) if k in TRIMMED_FIELDS else v for k, v in case.body.items()}
    return bool(validator.is_valid(case.body) != validator.is_valid(trimmed))


def _inexact_bound(issue: Any) -> bool:
    return (
        isinstance(issue, dict)
        and issue.get("type") in ("less_than_equal", "greater_than_equal")
        and isinstance(issue.get("input"), int)
        and abs(issue["input"]) > JSON_EXACT_LIMIT
    )


def _integral_float(issue: Any) -> bool:
    """JSON Schema counts 1.0 as an integer; the API's integers are strict (SPEC §3)."""
    value = issue.get("input") if isinstance(issue, dict) else None
    return issue.get("type") == "int_type" and isinstance(value, float) and value.is_integer()


@schema.hook
def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
    """Keep every failure except a request judged by a rule the schema cannot express:
    see STATE_REFUSALS, JSON_EXACT_LIMIT and TRIMMED_FIELDS."""
    if isinstance(failure, AcceptedNegativeData):
        return not validity_flips_when_trimmed(case)
    if not isinstance(failure, RejectedPositiveData):
        return True
    try:
        body = response.json()
    except ValueError:
        return True
    if not isinstance(body, dict):
        return True
    if (response.status_code, body.get("code")) in STATE_REFUSALS:
        return False
    issues = body.get("detail")
    inexact = isinstance(issues, list) and bool(issues) and all(map(_inexact_bound, issues))
    strict = isinstance(issues, list) and any(map(_integral_float, issues))
    trimmed = response.status_code == 422 and validity_flips_when_trimmed(case)
    return not (response.status_code == 422 and (inexact or strict)) and not trimmed


@pytest.fixture(params=VIEWERS, ids=lambda v: f"user{v}" if v else "anonymous")
def viewer(request: pytest.FixtureRequest) -> int | None:
    viewer: int | None = request.param
    return viewer


@pytest.fixture
def seeded_app(
    database_url: str,
    fake_bot_api: FakeBotAPI,
    fake_yookassa: FakeYooKassa,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[FastAPI]:
    """An app of its own (Schemathesis runs its lifespan on its own event loop), with two
    funded users, one without money, three orders with known ids and one take. Its bot
    talks to the fake Bot API (invoices are made there), its top-ups to the fake YooKassa."""
    fake_bot_api.reset()  # nothing an earlier test programmed (a failing method) carries over
    fake_yookassa.reset()
    # Streams end at once (SSE_MAX_SECONDS): the fuzzer reads a response to its end.
    overrides = {
        "telegram_api_url": fake_bot_api.url,
        "sse_max_seconds": 0.5,
        **fake_yookassa.settings(),
    }
    app = create_app(make_settings(database_url, **overrides), run_jobs=False)
    try:
        with asgi.get_client(app) as client:

            def call(method: str, url: str, user: int, **kwargs: Any) -> None:
                response = client.request(method, url, headers=authorization(user), **kwargs)
                assert response.status_code < 300, response.text

            call("POST", "/api/balance/recharge", OWNER, json={"amount": 100})
            call("POST", "/api/balance/recharge", EXECUTOR, json={"amount": 1000})
            call("GET", "/api/users/me", PAUPER)
            with monkeypatch.context() as patch:
                ids = iter(ORDER_IDS)
                patch.setattr(order_service, "new_order_id", lambda: next(ids))
                for _ in ORDER_IDS:
                    call("POST", "/api/orders", OWNER, json=ORDER)
            call("POST", f"/api/orders/{TAKEN}/take", EXECUTOR)
        yield app
    finally:
        asgi.shutdown_lifespans()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: Any, viewer: int | None, seeded_app: FastAPI) -> None:
    excluded = []
    if case.path == "/api/orders/stream":
        # PUT and DELETE of this path really are served, by /api/orders/{order_id} (an order
        # id "stream"): the Allow header says so, the schema cannot (two templates overlap).
        excluded.append(allow_header_conformance)
    case.call_and_validate(headers=authorization(viewer), app=seeded_app, excluded_checks=excluded)


# --- what the fuzzer found, pinned ------------------------------------------------------


@pytest.mark.parametrize("amount", [True, "5", 2.5, 7.0])
async def test_an_amount_that_is_not_a_json_integer_credits_nothing(client, amount):
    """Lax validation read ``{"amount": true}`` as a credit of one ruble. Integers are
    strict (SPEC §3): ``1.0`` is refused too, though JSON Schema calls it an integer."""
    response = await client.post(
        "/api/balance/recharge", json={"amount": amount}, headers=auth(OWNER)
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"
    assert (await client.get("/api/balance", headers=auth(OWNER))).json()["balance"] == 0


@pytest.mark.parametrize(
    ("url", "body"),
    [
        (f"/api/orders/{OPEN}/complete", {"executor_id": True}),
        (f"/api/orders/{OPEN}/complete", {"executor_id": float(EXECUTOR)}),
        ("/api/reviews/client", {"order_id": OPEN, "executor_id": EXECUTOR, "rating": True}),
        ("/api/reviews/client", {"order_id": OPEN, "executor_id": EXECUTOR, "rating": "5"}),
        ("/api/reviews/client", {"order_id": OPEN, "executor_id": True, "rating": 5}),
    ],
)
async def test_a_boolean_is_not_an_integer_of_a_body(client, url, body):
    response = await client.post(url, json=body, headers=auth(OWNER))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error"


async def test_nul_in_a_city_preference_is_a_422_not_a_500(client):
    response = await client.put(
        "/api/users/me/preferences", json={"cities": ["Мос\x00ква"]}, headers=auth(OWNER)
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


async def test_nul_in_list_filters_is_a_422_not_a_500(client):
    for params in ({"category": "a\x00b"}, {"city": "Мос\x00ква"}):
        response = await client.get("/api/orders", params=params)
        assert response.status_code == 422, params


async def test_a_405_names_every_method_of_the_path(client):
    response = await client.request("PATCH", "/api/orders")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    response = await client.request("PATCH", "/api/orders/someOrderId1")
    assert response.headers["Allow"] == "GET, PUT, DELETE"


async def test_unknown_category_slug_is_documented_as_refused(client):
    document = (await client.get("/openapi.json")).json()
    models = document["components"]["schemas"]
    assert models["OrderCreate"]["properties"]["category"]["enum"] == list(CATEGORIES)
    assert models["PreferencesIn"]["properties"]["categories"]["items"]["enum"] == list(CATEGORIES)


async def test_a_422_of_an_endpoint_with_its_own_422_matches_the_documented_shapes(client):
    document = (await client.get("/openapi.json")).json()
    documented = document["paths"]["/api/orders"]["post"]["responses"]["422"]
    shapes = documented["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/ValidationErrorResponse"} in shapes
    response = await client.post("/api/orders", headers=auth(OWNER))
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert isinstance(response.json()["detail"], list)


@pytest.mark.parametrize(
    ("field", "value"), [("description", " " * 12), ("city", "  "), ("contact", " \t  ")]
)
async def test_blank_text_is_refused_after_trimming(client, field, value):
    response = await client.post("/api/orders", json={**ORDER, field: value}, headers=auth(OWNER))
    assert response.status_code == 422, response.text
    response = await client.put(
        "/api/users/me/preferences", json={"cities": ["  "]}, headers=auth(OWNER)
    )
    assert response.status_code == 422, response.text


async def test_lengths_count_the_trimmed_text(client):
    city = "М" * 64
    response = await client.post(
        "/api/orders", json={**ORDER, "city": f" {city}  "}, headers=auth(OWNER)
    )
    assert response.status_code == 201, response.text
    assert response.json()["city"] == city
