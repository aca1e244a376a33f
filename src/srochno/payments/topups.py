"""Ruble top-ups through YooKassa: create one, read it, settle it from a notification.

No database connection is held while YooKassa is called: the pending top-up is written
and committed, the connection given back, YooKassa called, and its answer recorded in a
new transaction. A top-up is credited once: only the transaction whose conditional
update moves it from an open status to ``paid`` credits it (the others wait for that
one's commit and find it settled), ``yookassa_payment_id`` is unique, and the ledger has
one credit per top-up (a unique index) whatever the code does.
"""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum
from typing import Any

import orjson

from srochno import clock
from srochno.config import Settings
from srochno.db import Connection, Database, Record, UnitOfWork
from srochno.enums import YOOKASSA_METHOD, LedgerType
from srochno.errors import IdempotencyKeyConflict
from srochno.ids import new_id
from srochno.ledger import repository as ledger
from srochno.metrics import INCOME_RUB, TOPUPS
from srochno.payments import topup_repository as repository
from srochno.payments import yookassa
from srochno.payments.errors import (
    InvalidNotification,
    NotificationForbidden,
    PaymentProviderError,
    ReceiptEmailRequired,
    TopupNotFound,
    TopupOutOfRange,
    YooKassaUnavailable,
)
from srochno.payments.yookassa import YooKassaClient, YooKassaError, YooKassaNotFound
from srochno.telegram import texts
from srochno.users import repository as users
from srochno.users.account import Account

logger = logging.getLogger(__name__)

TOPUP_ID_BYTES = 12


class Outcome(StrEnum):
    """What a notification did (the webhook answers 200 for each)."""

    credited = "credited"
    canceled = "canceled"
    settled_before = "settled_before"
    ignored = "ignored"
    mismatched = "mismatched"


def new_topup_id() -> str:
    return new_id(TOPUP_ID_BYTES)


def topup_view(topup: Record) -> dict[str, Any]:
    return {
        "topup_id": topup["id"],
        "confirmation_url": topup["confirmation_url"],
        "amount_rub": topup["amount_rub"],
        "status": topup["status"],
    }


async def create_topup(
    work: UnitOfWork,
    client: YooKassaClient,
    settings: Settings,
    user: Account,
    amount_rub: int,
    email: str | None,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A pending top-up and YooKassa's payment for it; its ``confirmation_url`` is where
    the user pays. YooKassa refusing or unreachable → :class:`YooKassaUnavailable`, and the
    top-up is left ``failed`` (nothing pending). A retry with the same ``Idempotency-Key``
    answers the same top-up, asking YooKassa again (with the same ``Idempotence-Key``)
    when its payment was not made."""
    if not settings.topup_min_rub <= amount_rub <= settings.topup_max_rub:
        raise TopupOutOfRange(
            f"amount_rub must be between {settings.topup_min_rub} and {settings.topup_max_rub}"
        )
    user_id = user.id
    conn = await work.transaction()
    if email is None:
        email = await users.receipt_email(conn, user_id)
        if email is None:
            raise ReceiptEmailRequired()
    else:
        await users.keep_receipt_email(conn, user_id, email)
    topup = None
    if idempotency_key is not None:
        topup = await repository.keyed(conn, user_id, idempotency_key)
    if topup is None:
        topup = await repository.insert(
            conn, new_topup_id(), user_id, amount_rub, email, idempotency_key, clock.now()
        )
    if topup is None:  # the same key, committed meanwhile by a concurrent request
        assert idempotency_key is not None
        topup = await repository.keyed(conn, user_id, idempotency_key)
        assert topup is not None
    if topup["amount_rub"] != amount_rub:
        raise IdempotencyKeyConflict()
    if topup["confirmation_url"] is not None or topup["status"] not in repository.OPEN_STATUSES:
        return topup_view(topup)
    await work.commit_and_release()  # the pending row stands; no connection while we call

    lang = texts.language(user.language_code)
    body = yookassa.payment_request(
        settings, topup["id"], user_id, amount_rub, topup["receipt_email"] or email, lang
    )
    try:
        payment = await client.create_payment(body, idempotence_key=topup["id"])
        payment_id, url = _created(payment)
    except YooKassaError as error:
        logger.warning(
            "YooKassa did not create the payment: %s", error, extra={"topup": topup["id"]}
        )
        conn = await work.transaction()
        await repository.mark_failed(conn, topup["id"])
        await work.commit_and_release()
        TOPUPS.labels("failed").inc()
        raise YooKassaUnavailable() from error
    conn = await work.transaction()
    recorded = await repository.record_payment(conn, topup["id"], payment_id, url)
    if recorded is None:  # another payment recorded for it meanwhile (a concurrent retry)
        recorded = await repository.find(conn, topup["id"])
        assert recorded is not None
    TOPUPS.labels("created").inc()
    return topup_view(recorded)


def _created(payment: dict[str, Any]) -> tuple[str, str]:
    """The id and the confirmation URL of a payment YooKassa created."""
    payment_id = payment.get("id")
    confirmation = payment.get("confirmation")
    url = confirmation.get("confirmation_url") if isinstance(confirmation, dict) else None
    if not isinstance(payment_id, str) or yookassa.PAYMENT_ID.fullmatch(payment_id) is None:
        raise YooKassaError("the created payment has no id")
    if not isinstance(url, str) or (
        not url.startswith("https://") and not url.startswith("http://")
    ):
        raise YooKassaError("the created payment has no confirmation_url")
    return payment_id, url


async def read_topup(conn: Connection, user_id: int, topup_id: str) -> dict[str, Any]:
    topup = await repository.find(conn, topup_id)
    if topup is None or topup["user_id"] != user_id:
        raise TopupNotFound()
    return topup_view(topup)


async def handle_notification(
    db: Database,
    client: YooKassaClient,
    settings: Settings,
    address: str | None,
    body: bytes,
) -> Outcome:
    """A notification from YooKassa: only from its networks (else
    :class:`NotificationForbidden`); the body only names the payment, which is read again
    from YooKassa, and its state (not the notification's event) settles the top-up.
    YooKassa unreachable → :class:`PaymentProviderError` (a 5xx: YooKassa delivers the
    notification again)."""
    if not yookassa.from_networks(
        address, yookassa.networks(settings.yookassa_notification_networks)
    ):
        logger.warning("notification from outside YooKassa's networks", extra={"address": address})
        raise NotificationForbidden()
    try:
        notification = yookassa.parse_notification(orjson.loads(body))
    except orjson.JSONDecodeError:
        notification = None
    if notification is None:
        raise InvalidNotification()
    if notification.event not in (yookassa.EVENT_SUCCEEDED, yookassa.EVENT_CANCELED):
        return Outcome.ignored
    try:
        payment = await client.get_payment(notification.payment_id)
    except YooKassaNotFound:
        logger.warning("notification of a payment YooKassa does not know: ignored")
        return Outcome.ignored
    except YooKassaError as error:
        logger.warning("YooKassa could not be read: %s", error)
        raise PaymentProviderError("YooKassa could not be read, try again") from error
    async with db.transaction() as conn:
        return await settle(conn, payment, clock.now())


async def settle(conn: Connection, payment: dict[str, Any], now: datetime) -> Outcome:
    """Settle the top-up a payment (as YooKassa answered it) belongs to: credit it once
    when the payment succeeded for it, cancel it when the payment was canceled."""
    payment_id = payment.get("id")
    topup_id, _ = yookassa.metadata_of(payment)
    if not isinstance(payment_id, str) or topup_id is None or len(topup_id) > 32:
        return Outcome.ignored
    topup = await repository.find(conn, topup_id)
    if topup is None:
        logger.warning("a YooKassa payment of no top-up of ours", extra={"payment": payment_id})
        return Outcome.ignored
    status = payment.get("status")
    if status == yookassa.CANCELED:
        canceled = await repository.mark_canceled(conn, topup_id, payment_id, now)
        if canceled is None:
            return Outcome.settled_before
        TOPUPS.labels("canceled").inc()
        return Outcome.canceled
    if status != yookassa.SUCCEEDED:
        return Outcome.ignored
    mismatch = yookassa.pays_topup(payment, topup)
    if mismatch is not None:
        if topup["yookassa_payment_id"] == payment_id and topup["status"] not in (
            repository.OPEN_STATUSES
        ):
            return Outcome.settled_before
        logger.warning(
            "a succeeded YooKassa payment does not match its top-up (%s): not credited",
            mismatch,
            extra={"payment": payment_id, "topup": topup_id},
        )
        TOPUPS.labels("mismatched").inc()
        return Outcome.mismatched
    paid = await repository.mark_paid(conn, topup_id, payment_id, now)
    if paid is None:
        return Outcome.settled_before
    entry = await ledger.change_balance(
        conn,
        paid["user_id"],
        paid["amount_rub"],
        LedgerType.recharge,
        now=now,
        method=YOOKASSA_METHOD,
        topup_id=paid["id"],
    )
    assert entry is not None  # a credit always applies
    TOPUPS.labels("paid").inc()
    INCOME_RUB.labels(YOOKASSA_METHOD).inc(paid["amount_rub"])
    return Outcome.credited
