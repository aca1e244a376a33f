"""Authentication through the HTTP API: both schemes, every failure code, WWW-Authenticate."""

from __future__ import annotations

import json

import pytest

from srochno import clock
from srochno.auth.telegram import sign_init_data
from tests.helpers import init_data


def header(value: str) -> dict[str, str]:
    return {"Authorization": value}


@pytest.mark.parametrize("scheme", ["tma", "Bearer", "TMA", "bearer"])
async def test_both_schemes(client, scheme):
    response = await client.get("/api/users/me", headers=header(f"{scheme} {init_data(1)}"))
    assert response.status_code == 200


def _signed(**fields: str) -> str:
    return sign_init_data(fields, "7000000001:TEST-srochno-token-for-the-test-suite-0001")


def _now() -> str:
    return str(int(clock.now().timestamp()))


CASES = [
    (None, "auth_missing"),
    ("Basic abc", "auth_missing"),
    ("tma", "auth_missing"),
    ("tma ", "auth_missing"),
    ("tma garbage", "init_data_malformed"),
    ("tma a=1&a=2&auth_date=1&hash=00", "init_data_malformed"),
    ("tma =1&auth_date=1&hash=00", "init_data_malformed"),
    ("tma user=%7B%7D&hash=00", "init_data_malformed"),
    ("tma auth_date=abc&hash=00", "init_data_malformed"),
    ("tma auth_date=1700000000", "init_data_invalid"),
    ("tma auth_date=1700000000&hash=zz", "init_data_invalid"),
    ("tma auth_date=1700000000&hash=" + "0" * 64, "init_data_invalid"),
]


@pytest.mark.parametrize(("value", "code"), CASES)
async def test_failures(client, value, code):
    headers = header(value) if value is not None else {}
    response = await client.get("/api/users/me", headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == code
    assert "WWW-Authenticate" in response.headers


async def test_wrong_hash_message(client):
    raw = init_data(1)
    tampered = raw.replace("User1", "User2")
    response = await client.get("/api/users/me", headers=header(f"tma {tampered}"))
    assert response.json() == {
        "detail": "Invalid hash - data integrity check failed",
        "code": "init_data_invalid",
    }


async def test_expired_and_future(client):
    old = int(clock.now().timestamp()) - 3601
    response = await client.get(
        "/api/users/me", headers=header(f"tma {init_data(1, auth_date=old)}")
    )
    assert response.json()["code"] == "init_data_expired"
    future = int(clock.now().timestamp()) + 120
    response = await client.get(
        "/api/users/me", headers=header(f"tma {init_data(1, auth_date=future)}")
    )
    assert response.json()["code"] == "init_data_expired"


async def test_max_age_zero_accepts_recorded_init_data(client, override_settings):
    override_settings(init_data_max_age_seconds=0)
    old = int(clock.now().timestamp()) - 10 * 86400
    response = await client.get(
        "/api/users/me", headers=header(f"tma {init_data(1, auth_date=old)}")
    )
    assert response.status_code == 200


async def test_no_user(client):
    raw = _signed(auth_date=_now(), query_id="x")
    response = await client.get("/api/users/me", headers=header(f"tma {raw}"))
    assert response.json()["code"] == "init_data_no_user"
    raw = _signed(auth_date=_now(), user=json.dumps({"id": "12"}))
    response = await client.get("/api/users/me", headers=header(f"tma {raw}"))
    assert response.json()["code"] == "init_data_no_user"


@pytest.mark.parametrize(
    "garbage",
    ["tma %", "tma %ZZ", "tma &&&", "tma " + "a=" * 5000, "tma \u00ff\u00fe", "tma user=%FF%FE"],
)
async def test_garbage_is_never_a_500(client, garbage):
    response = await client.get("/api/users/me", headers={"Authorization": garbage.encode()})
    assert response.status_code == 401


async def test_optional_auth_on_public_endpoints(client):
    assert (await client.get("/api/orders")).status_code == 200
    bad = await client.get("/api/orders", headers=header("tma nonsense"))
    assert bad.status_code == 401
