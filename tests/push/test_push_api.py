"""The devices of an account (SPEC §23): ``POST``/``DELETE /api/users/me/push-subscriptions``
with a web session (CSRF header on writes), checked endpoints and keys, stable codes."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno.config import Settings, parse_vapid_private_key
from srochno.push.vapid import b64url, public_key, signer_of
from tests.fakepush import FakePushService
from tests.helpers import auth
from tests.push.conftest import (
    VAPID_KEY,
    allowed_hosts,
    subscribe,
    subscriptions,
    web_executor,
)

PATH = "/api/users/me/push-subscriptions"


async def test_a_device_is_added_renewed_and_removed(
    client: httpx.AsyncClient, engine: AsyncEngine, push: FakePushService, push_on: Settings
) -> None:
    user, headers = await web_executor(engine, push_on, "exec@example.com")
    device = push.new_device()
    added = await subscribe(client, headers, device)
    assert added.status_code == 201, added.text
    device_id = added.json()["id"]
    assert await subscriptions(engine) == [(device_id, user, device.endpoint)]

    again = await subscribe(client, headers, device)  # the page renews it on each visit
    assert again.status_code == 201
    assert again.json()["id"] == device_id
    assert len(await subscriptions(engine)) == 1

    removed = await client.request(
        "DELETE", PATH, json={"endpoint": device.endpoint}, headers=headers
    )
    assert removed.status_code == 204
    assert await subscriptions(engine) == []
    gone = await client.request("DELETE", PATH, json={"endpoint": device.endpoint}, headers=headers)
    assert gone.status_code == 204, "removing what is not there is no error"


async def test_a_device_belongs_to_the_account_that_subscribed_it_last(
    client: httpx.AsyncClient, engine: AsyncEngine, push: FakePushService, push_on: Settings
) -> None:
    _, first_headers = await web_executor(engine, push_on, "one@example.com")
    second, second_headers = await web_executor(engine, push_on, "two@example.com")
    device = push.new_device()
    assert (await subscribe(client, first_headers, device)).status_code == 201
    assert (await subscribe(client, second_headers, device)).status_code == 201
    assert [(user, endpoint) for _, user, endpoint in await subscriptions(engine)] == [
        (second, device.endpoint)
    ]
    # The first account cannot remove the second's device.
    await client.request("DELETE", PATH, json={"endpoint": device.endpoint}, headers=first_headers)
    assert len(await subscriptions(engine)) == 1


async def test_past_the_limit_the_least_recently_renewed_device_goes(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    override_settings: Any,
) -> None:
    from tests.push.conftest import push_settings

    settings = override_settings(**push_settings(push_max_devices=2))
    _, headers = await web_executor(engine, settings, "many@example.com")
    devices = [push.new_device() for _ in range(3)]
    for device in devices:
        assert (await subscribe(client, headers, device)).status_code == 201
    kept = {endpoint for _, _, endpoint in await subscriptions(engine)}
    assert kept == {devices[1].endpoint, devices[2].endpoint}


def bad(subscription: dict[str, Any], **changes: Any) -> dict[str, Any]:
    body = {**subscription, "keys": {**subscription["keys"]}}
    for key, value in changes.items():
        if key in ("p256dh", "auth"):
            body["keys"][key] = value
        elif value is None:
            body.pop(key)
        else:
            body[key] = value
    return body


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"endpoint": "http://127.0.0.1:9/push/x"}, "validation_error"),
        ({"endpoint": "https://user:pw@127.0.0.1/push/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://127.0.0.1:99999/push/x"}, "push_endpoint_invalid"),
        ({"endpoint": "ftp://fcm.googleapis.com/x"}, "validation_error"),
        ({"endpoint": "https:///nohost"}, "push_endpoint_invalid"),
        ({"endpoint": "https://internal.example.com/hook"}, "push_endpoint_not_allowed"),
        ({"endpoint": "https://fcm.googleapis.com.evil.test/x"}, "push_endpoint_not_allowed"),
        # Read two ways (the check's host is not the host the request goes to), or not a
        # plain DNS name: refused before the allowed hosts are compared.
        ({"endpoint": "https://127.0.0.1\\.fcm.googleapis.com/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://evil.test%2f.fcm.googleapis.com/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://evil.test%00.fcm.googleapis.com/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://[v1.fcm.googleapis.com]/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://*.fcm.googleapis.com/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://a_b.fcm.googleapis.com/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://.fcm.googleapis.com/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://xn--.fcm.googleapis.com/x"}, "push_endpoint_invalid"),
        ({"endpoint": "https://fcm.googleapis.com/x%zz"}, "push_endpoint_invalid"),
        ({"endpoint": "https://fcm.googleapis.com/x#frag"}, "push_endpoint_invalid"),
        ({"endpoint": "https://fcm.googleapis.com:8443/x"}, "push_endpoint_not_allowed"),
        ({"endpoint": "https://fcm.googleapis.com:0/x"}, "push_endpoint_not_allowed"),
        ({"endpoint": "https://127.0.0.1/push/x"}, "push_endpoint_not_allowed"),  # port 443
        ({"endpoint": "https://" + "a" * 2100}, "validation_error"),
        ({"p256dh": b64url(b"\x04" + b"\x01" * 64)}, "push_keys_invalid"),  # not on the curve
        ({"p256dh": b64url(b"\x04" * 33)}, "validation_error"),
        ({"p256dh": "!!not base64!!"}, "validation_error"),
        ({"auth": b64url(b"short")}, "validation_error"),
        ({"auth": "A" * 23}, "push_keys_invalid"),  # 17 bytes
        ({"p256dh": "A" * 86}, "push_keys_invalid"),  # 64 bytes
        ({"endpoint": "https://fcm.googleapis.com/\x00"}, "validation_error"),
        ({"endpoint": "https://fcm.googleapis.com/a b"}, "validation_error"),
        ({"auth": ""}, "validation_error"),
        ({"keys": None}, "validation_error"),
        ({"endpoint": None}, "validation_error"),
    ],
)
async def test_a_bad_subscription_is_refused_with_a_stable_code(
    client: httpx.AsyncClient,
    engine: AsyncEngine,
    push: FakePushService,
    push_on: Settings,
    change: dict[str, Any],
    code: str,
) -> None:
    _, headers = await web_executor(engine, push_on, "bad@example.com")
    body = bad(push.new_device().subscription(), **change)
    answer = await client.post(PATH, json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code
    assert await subscriptions(engine) == []


async def test_a_cookie_write_needs_the_csrf_header_and_a_session(
    client: httpx.AsyncClient, engine: AsyncEngine, push: FakePushService, push_on: Settings
) -> None:
    _, headers = await web_executor(engine, push_on, "csrf@example.com")
    body = push.new_device().subscription()
    no_csrf = {"Cookie": headers["Cookie"]}
    answer = await client.post(PATH, json=body, headers=no_csrf)
    assert (answer.status_code, answer.json()["code"]) == (403, "csrf_header_missing")
    answer = await client.request("DELETE", PATH, json={"endpoint": "x"}, headers=no_csrf)
    assert (answer.status_code, answer.json()["code"]) == (403, "csrf_header_missing")
    answer = await client.post(PATH, json=body, headers={"X-Srochno-CSRF": "1"})
    assert (answer.status_code, answer.json()["code"]) == (401, "auth_missing")
    assert await subscriptions(engine) == []


async def test_a_telegram_user_may_subscribe_a_device_too(
    client: httpx.AsyncClient, engine: AsyncEngine, push: FakePushService, push_on: Settings
) -> None:
    answer = await client.post(PATH, json=push.new_device().subscription(), headers=auth(42))
    assert answer.status_code == 201, answer.text


async def test_the_public_key_is_the_one_pushes_are_signed_with(
    client: httpx.AsyncClient, push_on: Settings
) -> None:
    answer = await client.get("/api/push/key")
    assert answer.status_code == 200
    key = answer.json()["public_key"]
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert len(raw) == 65
    assert raw[0] == 4
    assert key == public_key(signer_of(VAPID_KEY))
    parse_vapid_private_key(VAPID_KEY)  # the same text the settings hold


async def test_production_without_a_key_has_no_push(
    client: httpx.AsyncClient, engine: AsyncEngine, push: FakePushService, override_settings: Any
) -> None:
    settings = override_settings(
        environment="production",
        secret_key="x" * 48,
        vapid_private_key=None,
        push_service_hosts=allowed_hosts(),
    )
    answer = await client.get("/api/push/key")
    assert (answer.status_code, answer.json()["code"]) == (503, "push_unavailable")
    _, headers = await web_executor(engine, settings, "prod@example.com")
    answer = await client.post(PATH, json=push.new_device().subscription(), headers=headers)
    assert (answer.status_code, answer.json()["code"]) == (503, "push_unavailable")
