"""Ruble top-ups against the fake YooKassa: creation, the notifications (only from
YooKassa's networks, re-read, credited once whatever arrives), cancellation, outages."""

from __future__ import annotations

import asyncio

import pytest

from srochno.config import YOOKASSA_NETWORKS
from srochno.payments.yookassa import from_networks, networks, whole_rubles
from tests.fakeyookassa import YOOKASSA_ADDRESS_V6, notification
from tests.helpers import audit_clean, auth, scalar

USER, OTHER = 6101, 6102
EMAIL = "client@example.ru"
BALANCE = "SELECT balance FROM users WHERE id = :id"


async def create_topup(client, user_id=USER, amount=500, email=EMAIL, **headers):
    body = {"amount_rub": amount}
    if email is not None:
        body["email"] = email
    return await client.post("/api/balance/topups", json=body, headers={**auth(user_id), **headers})


async def new_topup(client, kassa, user_id=USER, amount=500):
    """A pending top-up and its payment at the fake YooKassa."""
    response = await create_topup(client, user_id, amount)
    assert response.status_code == 201, response.text
    topup = response.json()
    (payment,) = [
        p for p in kassa.payments.values() if p["metadata"]["topup_id"] == topup["topup_id"]
    ]
    return topup, payment["id"]


async def status_of(client, topup_id, user_id=USER):
    response = await client.get(f"/api/balance/topups/{topup_id}", headers=auth(user_id))
    assert response.status_code == 200, response.text
    return response.json()["status"]


async def test_a_topup_creates_a_yookassa_payment(client, topups_on, kassa, engine):
    response = await create_topup(client, amount=750)
    assert response.status_code == 201, response.text
    topup = response.json()
    assert topup["status"] == "pending"
    assert topup["amount_rub"] == 750
    (call,) = kassa.calls_of("POST", "/v3/payments")
    assert call.idempotence_key == topup["topup_id"]
    body = call.body
    assert body["amount"] == {"value": "750.00", "currency": "RUB"}
    assert body["capture"] is True
    assert body["confirmation"]["type"] == "redirect"
    assert body["confirmation"]["return_url"].endswith("/app/#/balance")
    assert body["metadata"] == {"topup_id": topup["topup_id"], "user_id": str(USER)}
    (item,) = body["receipt"]["items"]
    assert body["receipt"]["customer"] == {"email": EMAIL}
    assert item["vat_code"] == topups_on.yookassa_vat_code
    assert (item["payment_mode"], item["payment_subject"]) == ("full_prepayment", "service")
    assert item["amount"] == {"value": "750.00", "currency": "RUB"}
    payment_id = next(iter(kassa.payments))
    assert topup["confirmation_url"].endswith(payment_id)
    assert await status_of(client, topup["topup_id"]) == "pending"
    await audit_clean(engine)


async def test_the_receipt_email_is_asked_once_and_kept(client, topups_on, kassa):
    response = await create_topup(client, email=None)
    assert response.status_code == 422
    assert response.json()["code"] == "receipt_email_required"
    assert kassa.calls == []
    assert (await create_topup(client, email=" kept@example.ru ")).status_code == 201
    assert (await create_topup(client, email=None)).status_code == 201
    last = kassa.calls_of("POST", "/v3/payments")[-1]
    assert last.body["receipt"]["customer"] == {"email": "kept@example.ru"}


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "a@b",
        "x" * 300 + "@example.ru",
        "a b@c.ru",
        "<a@example.ru>",
        "a@[127.0.0.1]",
        ".a@example.ru",
        "a..b@example.ru",
        "a.@example.ru",
        "a@-example.ru",
        "a@example-.ru",
        "<script>@example.ru",
        "\u200ba@example.ru",
        "a@example.ru\u202e",
        "a@exam\x00ple.ru",
    ],
)
async def test_a_malformed_email_is_422(client, topups_on, email):
    response = await create_topup(client, email=email)
    assert response.status_code == 422


@pytest.mark.parametrize("amount", [99, 15_001, 0, -1])
async def test_amounts_outside_the_range_are_refused(client, topups_on, kassa, amount):
    response = await create_topup(client, amount=amount)
    assert response.status_code == 422
    assert kassa.calls == []


async def test_without_a_shop_topups_are_not_configured(client):
    response = await create_topup(client)
    assert response.status_code == 503
    assert response.json()["code"] == "topups_not_configured"


async def test_the_idempotency_key_answers_the_same_topup(client, topups_on, kassa):
    first = await create_topup(client, **{"Idempotency-Key": "k-1"})
    again = await create_topup(client, **{"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert len(kassa.calls_of("POST", "/v3/payments")) == 1
    other = await create_topup(client, amount=600, **{"Idempotency-Key": "k-1"})
    assert other.status_code == 409


async def test_an_outage_at_creation_is_502_and_leaves_nothing_pending(
    client, topups_on, kassa, engine
):
    kassa.outage = True
    response = await create_topup(client, **{"Idempotency-Key": "k-out"})
    assert response.status_code == 502
    assert response.json()["code"] == "payment_provider_error"
    assert await scalar(engine, "SELECT count(*) FROM topups WHERE status = 'pending'") == 0
    assert await scalar(engine, "SELECT status FROM topups") == "failed"
    await audit_clean(engine)
    # The same request again once YooKassa is back: the same top-up, now payable.
    kassa.outage = False
    again = await create_topup(client, **{"Idempotency-Key": "k-out"})
    assert again.status_code == 201, again.text
    assert again.json()["status"] == "pending"
    assert again.json()["confirmation_url"]
    keys = {c.idempotence_key for c in kassa.calls_of("POST", "/v3/payments")}
    assert keys == {again.json()["topup_id"]}


async def test_a_slow_yookassa_is_502_after_the_timeout(client, override_settings, kassa):
    override_settings(**{**kassa.settings(), "yookassa_timeout_seconds": 0.2})
    kassa.delay = 1.0
    response = await create_topup(client)
    assert response.status_code == 502


async def test_a_topup_of_another_user_is_not_found(client, topups_on, kassa):
    topup, _ = await new_topup(client, kassa)
    response = await client.get(f"/api/balance/topups/{topup['topup_id']}", headers=auth(OTHER))
    assert response.status_code == 404
    assert response.json()["code"] == "topup_not_found"


async def test_a_succeeded_payment_is_credited_once_whatever_the_redeliveries(
    client, topups_on, kassa, engine, from_yookassa
):
    topup, payment_id = await new_topup(client, kassa, amount=500)
    paid = kassa.succeed(payment_id)
    for _ in range(3):
        response = await from_yookassa.post("/payments/yookassa", json=notification(paid))
        assert response.status_code == 200, response.text
    assert await scalar(engine, BALANCE, id=USER) == 500
    assert await status_of(client, topup["topup_id"]) == "paid"
    response = await client.get("/api/balance/transactions", headers=auth(USER))
    (entry,) = response.json()["items"]
    assert (entry["type"], entry["amount"], entry["method"]) == ("recharge", 500, "yookassa")
    assert len(kassa.calls_of("GET", f"/v3/payments/{payment_id}")) == 3
    await audit_clean(engine)


async def test_concurrent_copies_credit_once(client, topups_on, kassa, engine, from_yookassa):
    _, payment_id = await new_topup(client, kassa, amount=300)
    body = notification(kassa.succeed(payment_id))
    responses = await asyncio.gather(
        *(from_yookassa.post("/payments/yookassa", json=body) for _ in range(10))
    )
    assert [r.status_code for r in responses] == [200] * 10
    outcomes = sorted(r.json()["outcome"] for r in responses)
    assert outcomes == ["credited"] + ["settled_before"] * 9
    assert await scalar(engine, BALANCE, id=USER) == 300
    await audit_clean(engine)


async def test_the_notification_is_a_hint_the_payment_is_read_again(
    client, topups_on, kassa, engine, from_yookassa
):
    topup, payment_id = await new_topup(client, kassa)
    # A forged "succeeded" for a payment still pending at YooKassa: nothing happens.
    forged = notification({**kassa.payment(payment_id), "status": "succeeded", "paid": True})
    response = await from_yookassa.post("/payments/yookassa", json=forged)
    assert response.status_code == 200
    assert response.json()["outcome"] == "ignored"
    assert await status_of(client, topup["topup_id"]) == "pending"
    assert await scalar(engine, BALANCE, id=USER) == 0


async def test_events_out_of_order_settle_by_the_payments_state(
    client, topups_on, kassa, engine, from_yookassa
):
    topup, payment_id = await new_topup(client, kassa, amount=200)
    pending = kassa.payment(payment_id)
    paid = kassa.succeed(payment_id)
    # A stale "canceled" arrives first, then the succeeded one, then the stale one again.
    for body in (
        notification(pending, "payment.canceled"),
        notification(paid),
        notification(pending, "payment.canceled"),
    ):
        assert (await from_yookassa.post("/payments/yookassa", json=body)).status_code == 200
    assert await status_of(client, topup["topup_id"]) == "paid"
    assert await scalar(engine, BALANCE, id=USER) == 200
    await audit_clean(engine)


async def test_a_canceled_payment_cancels_the_topup(
    client, topups_on, kassa, engine, from_yookassa
):
    topup, payment_id = await new_topup(client, kassa)
    canceled = kassa.cancel(payment_id)
    # Even announced as succeeded, the re-read says canceled.
    for event in ("payment.canceled", "payment.succeeded"):
        response = await from_yookassa.post(
            "/payments/yookassa", json=notification(canceled, event)
        )
        assert response.status_code == 200
    assert await status_of(client, topup["topup_id"]) == "canceled"
    assert await scalar(engine, BALANCE, id=USER) == 0
    await audit_clean(engine)


@pytest.mark.parametrize(
    ("value", "currency"), [("50.00", "RUB"), ("500.00", "USD"), ("500.50", "RUB")]
)
async def test_a_mismatched_amount_is_not_credited(
    client, topups_on, kassa, engine, from_yookassa, value, currency
):
    topup, payment_id = await new_topup(client, kassa, amount=500)
    kassa.set_amount(payment_id, value, currency)
    paid = kassa.succeed(payment_id)
    response = await from_yookassa.post("/payments/yookassa", json=notification(paid))
    assert response.status_code == 200
    assert response.json()["outcome"] == "mismatched"
    assert await status_of(client, topup["topup_id"]) == "pending"
    assert await scalar(engine, BALANCE, id=USER) == 0
    await audit_clean(engine)


async def test_foreign_metadata_is_not_credited(client, topups_on, kassa, engine, from_yookassa):
    _topup, payment_id = await new_topup(client, kassa, amount=500)
    kassa.payments[payment_id]["metadata"]["user_id"] = str(OTHER)
    paid = kassa.succeed(payment_id)
    response = await from_yookassa.post("/payments/yookassa", json=notification(paid))
    assert response.json()["outcome"] == "mismatched"
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 0


@pytest.mark.parametrize(
    "metadata",
    [
        {"topup_id": "a\x00", "user_id": str(USER)},
        {"topup_id": "x" * 10_000, "user_id": str(USER)},
        {"topup_id": "ok", "user_id": "1\x00"},
        {"topup_id": "ok", "user_id": "9" * 40},
    ],
)
async def test_metadata_we_never_write_names_no_topup(
    client, topups_on, kassa, engine, from_yookassa, metadata
):
    """YooKassa's answer is read, not trusted: metadata that our top-ups cannot carry is
    a mismatch (200), never a database error that YooKassa would redeliver forever."""
    _topup, payment_id = await new_topup(client, kassa, amount=500)
    kassa.payments[payment_id]["metadata"] = metadata
    paid = kassa.succeed(payment_id)
    response = await from_yookassa.post("/payments/yookassa", json=notification(paid))
    assert response.status_code == 200, response.text
    assert await scalar(engine, "SELECT count(*) FROM ledger_entries") == 0


async def test_an_outage_while_reading_is_5xx_then_credited_on_redelivery(
    client, topups_on, kassa, engine, from_yookassa
):
    _, payment_id = await new_topup(client, kassa, amount=400)
    body = notification(kassa.succeed(payment_id))
    kassa.outage = True
    response = await from_yookassa.post("/payments/yookassa", json=body)
    assert response.status_code == 502
    assert await scalar(engine, BALANCE, id=USER) == 0
    kassa.outage = False
    response = await from_yookassa.post("/payments/yookassa", json=body)
    assert response.status_code == 200
    assert await scalar(engine, BALANCE, id=USER) == 400


async def test_from_an_ipv6_address_of_yookassa(client, topups_on, kassa, engine, client_from):
    _, payment_id = await new_topup(client, kassa, amount=100)
    body = notification(kassa.succeed(payment_id))
    async with client_from(YOOKASSA_ADDRESS_V6) as v6:
        response = await v6.post("/payments/yookassa", json=body)
    assert response.status_code == 200, response.text
    assert await scalar(engine, BALANCE, id=USER) == 100


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "185.71.76.32", "2a02:5181::1", "::1", "10.0.0.1", "garbage"]
)
async def test_notifications_from_elsewhere_are_403(
    client, topups_on, kassa, engine, client_from, address
):
    _, payment_id = await new_topup(client, kassa)
    body = notification(kassa.succeed(payment_id))
    async with client_from(address) as elsewhere:
        # X-Forwarded-For is no help: only uvicorn applies it, and only from a named proxy.
        response = await elsewhere.post(
            "/payments/yookassa", json=body, headers={"X-Forwarded-For": "185.71.76.5"}
        )
    assert response.status_code == 403
    assert response.json()["code"] == "notification_forbidden"
    assert kassa.calls_of("GET", "/v3/payments/") == []
    assert await scalar(engine, BALANCE, id=USER) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"type": "notification"}',
        b'{"type": "notification", "event": "payment.succeeded", "object": {"id": 5}}',
        b'{"type": "notification", "event": "payment.succeeded", "object": {"id": "../x"}}',
        b'{"type": "notification", "event": "payment.succeeded", "object": {"id": "'
        + b"a" * 100
        + b'"}}',
    ],
)
async def test_hopeless_notifications_are_4xx(topups_on, kassa, from_yookassa, body):
    response = await from_yookassa.post(
        "/payments/yookassa", content=body, headers={"Content-Type": "application/json"}
    )
    assert 400 <= response.status_code < 500
    assert kassa.calls == []


async def test_unknown_payments_and_other_events_are_200(topups_on, kassa, from_yookassa):
    unknown = {"type": "notification", "event": "payment.succeeded", "object": {"id": "nope-1"}}
    response = await from_yookassa.post("/payments/yookassa", json=unknown)
    assert (response.status_code, response.json()["outcome"]) == (200, "ignored")
    stranger = kassa.add_payment(status="succeeded", paid=True)
    response = await from_yookassa.post("/payments/yookassa", json=notification(stranger))
    assert (response.status_code, response.json()["outcome"]) == (200, "ignored")
    refund = {"type": "notification", "event": "refund.succeeded", "object": {"id": "r-1"}}
    response = await from_yookassa.post("/payments/yookassa", json=refund)
    assert (response.status_code, response.json()["outcome"]) == (200, "ignored")


@pytest.mark.parametrize(
    ("address", "inside"),
    [
        ("185.71.76.0", True),
        ("185.71.76.31", True),
        ("185.71.76.32", False),
        ("185.71.77.31", True),
        ("185.71.77.32", False),
        ("77.75.153.127", True),
        ("77.75.153.128", False),
        ("77.75.156.11", True),
        ("77.75.156.12", False),
        ("77.75.156.35", True),
        ("77.75.156.34", False),
        ("77.75.154.128", True),
        ("77.75.154.255", True),
        ("77.75.154.127", False),
        ("2a02:5180::1", True),
        ("2a02:5180:ffff:ffff:ffff:ffff:ffff:ffff", True),
        ("2a02:5181::", False),
        ("2a02:517f:ffff::1", False),
        ("::ffff:185.71.76.5", True),
        ("::ffff:10.0.0.1", False),
        ("[2a02:5180::1]", True),
        ("", False),
        (None, False),
        ("185.71.76.5/24", False),
        ("185.71.76", False),
    ],
)
def test_yookassa_networks_are_matched_exactly(address, inside):
    assert from_networks(address, networks(YOOKASSA_NETWORKS)) is inside


def test_networks_with_host_bits_are_refused_in_settings():
    from pydantic import ValidationError

    from srochno.config import Settings

    with pytest.raises(ValidationError):
        Settings(_env_file=None, yookassa_notification_networks="185.71.76.5/27")
    settings = Settings(_env_file=None, yookassa_notification_networks="10.0.0.0/8, ::1/128")
    assert settings.yookassa_notification_networks == ["10.0.0.0/8", "::1/128"]


@pytest.mark.parametrize(
    ("amount", "rubles"),
    [
        ({"value": "100.00", "currency": "RUB"}, 100),
        ({"value": "100", "currency": "RUB"}, 100),
        ({"value": "100.10", "currency": "RUB"}, None),
        ({"value": "100.00", "currency": "USD"}, None),
        ({"value": "-100.00", "currency": "RUB"}, None),
        ({"value": 100, "currency": "RUB"}, None),
        ("100", None),
    ],
)
def test_whole_rubles(amount, rubles):
    assert whole_rubles(amount) == rubles
