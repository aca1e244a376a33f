"""Hostile or broken input is a 4xx, never a 500 and never a dropped connection (SPEC §3).

Most checks run in process; the connection checks run against a real ``srochno serve``, as
a client sees it: several bad requests on one keep-alive connection, then a good one.
"""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno.auth.telegram import sign_init_data
from srochno.body_limit import MAX_BODY_BYTES
from tests.helpers import ORDER, TEST_BOT_TOKEN, auth, create_order, init_data, scalar
from tests.servers import ServerGroup, run_servers

OWNER = 9001
EXECUTOR = 9002
ECHO_LIMIT = 200
# The order id of a route that validates its body before looking the order up.
SOME_ORDER = "AAAAAAAAAAAA"

NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400"]
# Integers as JSON writes them, and things that are not JSON integers.
NOT_INTEGERS = ["true", '"5"', "1.0"]
# Characters that show nothing: zero-width space, word joiner, BOM, LRM, Hangul filler, …
INVISIBLE = "\u200b\u2060\ufeff\u200e\u3164\u200c\u200d\u2800\u00ad\u180e"


def body_with(template: dict[str, Any], field: str, raw_value: str) -> bytes:
    """``template`` as JSON with ``field`` set to ``raw_value`` written verbatim (so that
    ``NaN`` or ``"\\ud800"`` reach the server exactly as typed)."""
    marker = "__RAW__"
    text = json.dumps({**template, field: marker})
    return text.replace(json.dumps(marker), raw_value).encode()


# (path, template body, fields under test): every JSON body of the API with a number.
NUMBER_FIELDS = [
    ("/api/balance/recharge", {"amount": 5}, "amount"),
    (f"/api/orders/{SOME_ORDER}/complete", {"executor_id": EXECUTOR}, "executor_id"),
    (
        "/api/reviews/client",
        {"order_id": SOME_ORDER, "executor_id": EXECUTOR, "rating": 5},
        "rating",
    ),
    (
        "/api/reviews/client",
        {"order_id": SOME_ORDER, "executor_id": EXECUTOR, "rating": 5},
        "executor_id",
    ),
]
REVIEW = {"order_id": SOME_ORDER, "executor_id": EXECUTOR, "rating": 5, "comment": "Всё отлично"}
COMPLAINT = {"order_id": SOME_ORDER, "reason": "no_show", "comment": "Не пришёл"}
# (method, path, template body, string field): every text a body carries.
STRING_FIELDS = [
    ("POST", "/api/orders", ORDER, "description"),
    ("POST", "/api/orders", ORDER, "city"),
    ("POST", "/api/orders", ORDER, "contact"),
    ("POST", "/api/orders", ORDER, "category"),
    ("PUT", f"/api/orders/{SOME_ORDER}", ORDER, "description"),
    ("POST", "/api/balance/recharge", {"amount": 5, "method": "dev"}, "method"),
    ("POST", "/api/reviews/client", REVIEW, "comment"),
    ("POST", "/api/reviews/client", REVIEW, "order_id"),
    ("POST", "/api/reviews/executor", COMPLAINT, "comment"),
    ("PUT", "/api/users/me/preferences", {"cities": ["x"]}, "cities"),
    ("PUT", "/api/users/me/preferences", {"categories": ["plumbing"]}, "categories"),
    ("POST", "/api/reviews/executor", COMPLAINT, "reason"),
    ("PUT", "/api/users/me/notification-settings", {"frequency": "instant"}, "frequency"),
]


def hostile_requests() -> list[tuple[str, str, bytes, str]]:
    """(method, path, body, what it is) of every bad value in every field above."""
    cases: list[tuple[str, str, bytes, str]] = []
    for path, template, field in NUMBER_FIELDS:
        for raw in [*NON_FINITE, *NOT_INTEGERS, "1" + "0" * 30, "9" * 5000]:
            cases.append(("POST", path, body_with(template, field, raw), f"{field}={raw[:12]}"))
    for method, path, template, field in STRING_FIELDS:
        raw = '["\\ud800"]' if field in {"cities", "categories"} else '"ab\\ud800cdefghijklmn"'
        cases.append((method, path, body_with(template, field, raw), f"{field} surrogate"))
    return cases


HOSTILE = hostile_requests()


def surrogate_init_data(user_id: int, field: str) -> str:
    """A correctly signed initData whose ``user`` JSON carries a lone surrogate, escaped as
    JSON writes it (``\\ud800``) — which is how it can arrive."""
    user = {"id": user_id, "first_name": "Ivan", field: "Iv\ud800an"}
    fields = {
        "query_id": f"AAQ{user_id}",
        "user": json.dumps(user, ensure_ascii=True, separators=(",", ":")),
        "auth_date": str(int(time.time())),
    }
    assert "\\ud800" in fields["user"]
    return sign_init_data(fields, TEST_BOT_TOKEN)


PROFILE_FIELDS = ["first_name", "last_name", "username", "language_code", "photo_url"]


def assert_validation_error(response: httpx.Response, what: str) -> None:
    assert response.status_code == 422, (what, response.status_code, response.text[:500])
    assert response.json()["code"] == "validation_error", (what, response.text[:500])


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


# --- in process --------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "body", "what"), HOSTILE, ids=[c[3] for c in HOSTILE])
async def test_hostile_number_or_text_is_422(client, method, path, body, what):
    response = await client.request(
        method,
        path,
        content=body,
        headers={**auth(OWNER), "Content-Type": "application/json"},
    )
    assert_validation_error(response, what)
    json.loads(response.content)  # strict JSON: no NaN or Infinity written back


@pytest.mark.parametrize("field", PROFILE_FIELDS)
async def test_lone_surrogate_in_signed_init_data_is_422(client, field):
    header = {"Authorization": f"tma {surrogate_init_data(OWNER, field)}"}
    for response in (
        await client.get("/api/users/me", headers=header),
        await client.get("/api/orders", headers=header),
        await client.post("/api/orders", json=ORDER, headers=header),
    ):
        assert_validation_error(response, field)


@pytest.mark.parametrize("raw", NOT_INTEGERS)
async def test_strict_integers(client, raw):
    order = await create_order(client, OWNER)
    cases = [
        ("/api/balance/recharge", {"amount": 5}, "amount"),
        (f"/api/orders/{order['id']}/complete", {"executor_id": EXECUTOR}, "executor_id"),
        ("/api/reviews/client", {**REVIEW, "order_id": order["id"]}, "rating"),
        ("/api/reviews/client", {**REVIEW, "order_id": order["id"]}, "executor_id"),
    ]
    for path, template, field in cases:
        response = await client.post(
            path,
            content=body_with(template, field, raw),
            headers={**auth(OWNER), "Content-Type": "application/json"},
        )
        assert_validation_error(response, f"{path} {field}={raw}")
        assert [issue["loc"] for issue in response.json()["detail"]] == [["body", field]]


LONG = "ы" * 10_000
LONG_CASES = [
    ("POST", "/api/orders", {**ORDER, "description": LONG}),
    ("POST", "/api/orders", {**ORDER, "category": LONG}),
    ("POST", "/api/orders", {**ORDER, "city": LONG, "contact": LONG}),
    ("POST", "/api/balance/recharge", {"amount": LONG}),
    ("POST", "/api/balance/recharge", {"amount": 5, "method": LONG}),
    ("POST", "/api/reviews/client", {**REVIEW, "comment": LONG, "order_id": LONG}),
    ("POST", "/api/reviews/executor", {**COMPLAINT, "reason": LONG}),
    ("PUT", "/api/users/me/preferences", {"categories": [LONG, "x" * 10_000], "cities": [LONG]}),
    ("PUT", "/api/users/me/notification-settings", {"frequency": LONG}),
    ("GET", f"/api/orders?city={'ы' * 5000}", None),
    ("GET", f"/api/orders/{'a' * 5000}", None),
    ("GET", f"/api/reviews?rating={'9' * 5000}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), LONG_CASES)
async def test_errors_echo_at_most_200_characters(client, method, path, body):
    response = await client.request(method, path, json=body, headers=auth(OWNER))
    assert response.status_code == 422, response.text[:500]
    longest = max(strings_in(response.json()), key=len)
    assert len(longest) <= ECHO_LIMIT + 1, longest[:300]


async def test_long_idempotency_key_is_not_echoed_whole(client):
    response = await client.post(
        "/api/balance/recharge",
        json={"amount": 5},
        headers={**auth(OWNER), "Idempotency-Key": "k" * 10_000},
    )
    assert response.status_code == 422, response.text[:500]
    assert max(len(s) for s in strings_in(response.json())) <= ECHO_LIMIT + 1


@pytest.mark.parametrize("field", ["description", "city", "contact"])
@pytest.mark.parametrize(
    "filler",
    [
        INVISIBLE,
        "\u200b" * 50,
        " \u3164\u2060 \ufeff ",
        "\u0301\u0308\u20dd" * 10,  # combining marks only: nothing to sit on, nothing shown
        "\u200b\u0336 \u0489\u0489",
    ],
)
async def test_invisible_only_text_is_422(client, field, filler):
    response = await client.post("/api/orders", json={**ORDER, field: filler}, headers=auth(OWNER))
    assert_validation_error(response, field)
    assert response.json()["detail"][0]["loc"] == ["body", field]


async def test_marks_on_letters_are_text(client):
    order = await create_order(client, OWNER, city="Мосќва\u0301", description="Cafe\u0301 " * 3)
    assert order["city"] == "Мосќва\u0301"


async def test_padded_text_is_stored_trimmed(client, engine: AsyncEngine):
    padded = {key: f"{INVISIBLE} {ORDER[key]} {INVISIBLE}" for key in ("description", "city")}
    order = await create_order(client, OWNER, **padded, contact=f"\u200b{ORDER['contact']}\ufeff")
    assert order["description"] == ORDER["description"]
    assert order["city"] == ORDER["city"]
    assert order["contact"] == ORDER["contact"]
    stored = await scalar(engine, "SELECT description || '|' || city || '|' || contact FROM orders")
    assert stored == f"{ORDER['description']}|{ORDER['city']}|{ORDER['contact']}"


async def test_description_short_once_trimmed_is_422(client):
    # Nine visible characters padded to well over ten: the length counts what is stored.
    response = await client.post(
        "/api/orders",
        json={**ORDER, "description": f"{INVISIBLE}123456789{INVISIBLE}"},
        headers=auth(OWNER),
    )
    assert_validation_error(response, "short description")


async def test_body_over_64_kib_is_413(client):
    body = b'{"amount": 5, "method": "' + b" " * MAX_BODY_BYTES + b'"}'
    response = await client.post(
        "/api/balance/recharge",
        content=body,
        headers={**auth(OWNER), "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert len(response.headers["X-Request-ID"]) == 32  # answered at the edge, still named


async def test_body_of_exactly_64_kib_is_read(client):
    prefix = b'{"amount": 5, "method": "dev"'
    body = prefix + b" " * (MAX_BODY_BYTES - len(prefix) - 1) + b"}"
    assert len(body) == MAX_BODY_BYTES
    response = await client.post(
        "/api/balance/recharge",
        content=body,
        headers={**auth(OWNER), "Content-Type": "application/json", "Idempotency-Key": "x" * 200},
    )
    assert response.status_code == 422  # read and validated (the key is too long), not 413
    assert response.json()["detail"][0]["loc"] == ["header", "Idempotency-Key"]


async def test_authorization_header_over_16_kib_is_401_malformed(client):
    header = f"tma {init_data(OWNER)}&pad={'a' * 16 * 1024}"
    for response in (
        await client.get("/api/users/me", headers={"Authorization": header}),
        await client.get("/api/orders", headers={"Authorization": header}),
    ):
        assert response.status_code == 401, response.text
        assert response.json()["code"] == "init_data_malformed"


async def test_init_data_with_too_many_fields_is_401_malformed(client):
    fields = {f"f{i}": "x" for i in range(100)}
    fields["user"] = json.dumps({"id": OWNER, "first_name": "Ivan"})
    fields["auth_date"] = str(int(time.time()))
    header = {"Authorization": f"tma {sign_init_data(fields, TEST_BOT_TOKEN)}"}
    assert len(header["Authorization"]) < 16 * 1024
    response = await client.get("/api/users/me", headers=header)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "init_data_malformed"


# --- a real server -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[ServerGroup]:
    with run_servers(database_url, 1) as servers:
        yield servers


def port_of(servers: ServerGroup) -> int:
    return servers.servers[0].port


def test_one_keep_alive_connection_survives_every_hostile_request(server):
    connection = http.client.HTTPConnection("127.0.0.1", port_of(server), timeout=30)
    local: tuple[str, int] | None = None
    try:
        requests: list[tuple[str, str, bytes | None, dict[str, str], str]] = [
            (method, path, body, {"Authorization": f"tma {init_data(OWNER)}"}, what)
            for method, path, body, what in HOSTILE
        ]
        for field in PROFILE_FIELDS:
            header = {"Authorization": f"tma {surrogate_init_data(OWNER, field)}"}
            requests.append(("GET", "/api/users/me", None, header, f"init data {field}"))
        for method, path, body, headers, what in requests:
            headers = {**headers, "Content-Type": "application/json"}
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            assert response.status == 422, (what, response.status, payload[:300])
            assert json.loads(payload)["code"] == "validation_error", what
            assert not response.will_close, what
            assert connection.sock is not None, what
            name = connection.sock.getsockname()
            assert local in (None, name), f"{what}: the connection was dropped"
            local = name
        connection.request("GET", "/api/users/me", headers=auth(OWNER))
        response = connection.getresponse()
        payload = response.read()
        assert response.status == 200, payload[:300]
        assert json.loads(payload)["id"] == OWNER
        assert connection.sock is not None
        assert connection.sock.getsockname() == local
    finally:
        connection.close()


def test_httpx_single_connection_keeps_working(server):
    seen: set[tuple[str, int]] = set()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    with httpx.Client(base_url=server.urls[0], limits=limits, trust_env=False) as http:
        for method, path, body, what in HOSTILE[:: max(1, len(HOSTILE) // 10)]:
            response = http.request(
                method,
                path,
                content=body,
                headers={**auth(OWNER), "Content-Type": "application/json"},
            )
            assert response.status_code == 422, (what, response.text[:300])
            stream = response.extensions["network_stream"]
            seen.add(stream.get_extra_info("socket").getsockname())
        assert http.get("/api/users/me", headers=auth(OWNER)).status_code == 200
    assert len(seen) == 1, seen


def read_answer(sock: socket.socket) -> tuple[int, bytes]:
    """The status and body of the HTTP answer waiting on ``sock`` (its timeout applies)."""
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, response.read()


def send_chunked_past_the_limit(server, request_line: str, headers: str, chunk_size: int):
    """Send a chunked body past 64 KiB, never its final zero-length chunk (a server that
    waits for it hangs), and read the answer: (status, body)."""
    head = (
        f"{request_line}\r\nHost: 127.0.0.1:{port_of(server)}\r\n{headers}"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=10) as sock:
        sock.sendall(head)
        sent = 0
        while sent <= MAX_BODY_BYTES:
            sock.sendall(f"{chunk_size:x}\r\n".encode() + b" " * chunk_size + b"\r\n")
            sent += chunk_size
        return read_answer(sock)


@pytest.mark.parametrize("chunk_size", [MAX_BODY_BYTES + 1, 4096])
def test_chunked_body_over_64_kib_is_refused_before_the_end(server, chunk_size):
    """No Content-Length: the server counts what arrives and answers 413 as soon as the
    body passes 64 KiB, while the client still holds the rest of it (never sent)."""
    status, payload = send_chunked_past_the_limit(
        server,
        "POST /api/balance/recharge HTTP/1.1",
        f"Authorization: tma {init_data(OWNER)}\r\nContent-Type: application/json\r\n",
        chunk_size,
    )
    assert status == 413, payload[:300]
    assert json.loads(payload)["code"] == "payload_too_large"


def test_a_chunked_body_over_64_kib_to_the_admin_is_refused_not_a_500(server):
    """The admin's session middleware wraps the body's refusal in an exception group: the
    answer is still the 413, not a 500."""
    status, payload = send_chunked_past_the_limit(
        server,
        "POST /admin/login HTTP/1.1",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        4096,
    )
    assert status == 413, payload[:300]
    assert json.loads(payload)["code"] == "payload_too_large"


def test_declared_content_length_over_64_kib_is_refused_unread(server):
    head = (
        "POST /api/orders HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port_of(server)}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {100 * 1024 * 1024}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port_of(server)), timeout=10) as sock:
        sock.sendall(head + b"{")
        status, payload = read_answer(sock)
    assert status == 413, payload[:300]
    assert json.loads(payload)["code"] == "payload_too_large"
