"""Stars use cases: an invoice, the pre-checkout decision, crediting a charge.

Money follows the charge: a charge (Telegram's ``telegram_payment_charge_id``) is recorded
once, and only the transaction that recorded it credits the balance, in the same
transaction. Redelivered and concurrent copies of a payment therefore credit it once; the
same invoice paid twice is two charges and two credits.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiogram import Bot
from aiogram.types import LabeledPrice

from srochno import metrics
from srochno.config import Settings
from srochno.db import Connection, Record, UnitOfWork
from srochno.enums import BIGINT_MAX, STARS_CURRENCY, STARS_METHOD, LedgerType, PaymentStatus
from srochno.errors import IdempotencyKeyConflict
from srochno.ids import new_id
from srochno.ledger import repository as ledger
from srochno.metrics import INCOME_RUB
from srochno.payments import repository
from srochno.payments.errors import PaymentNotFound, PaymentProviderError, StarsOutOfRange
from srochno.telegram import texts
from srochno.telegram.errors import BOT_API_FAILURES
from srochno.users.account import Account

logger = logging.getLogger(__name__)

PAYMENT_ID_BYTES = 12
PAYMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
"""A payment id (the invoice payload); anything else is no payment of ours."""


PAYMENT_PAID = "paid"
PAYMENT_REFUNDED = "refunded"
PAYMENT_FAILED = "failed"
"""The outcomes the ``srochno_payments`` counter counts."""


def new_payment_id() -> str:
    return new_id(PAYMENT_ID_BYTES)


def invoice_view(payment: Record) -> dict[str, Any]:
    return {
        "payment_id": payment["id"],
        "invoice_url": payment["invoice_url"],
        "stars": payment["stars"],
        "amount_rub": payment["amount_rub"],
        "status": payment["status"],
    }


async def create_invoice(
    work: UnitOfWork,
    bot: Bot,
    settings: Settings,
    user: Account,
    stars: int,
    idempotency_key: str | None,
    now: datetime,
) -> dict[str, Any]:
    """A pending payment and its invoice link. The payment is committed and the connection
    given back before Telegram is called (a slow Telegram must not hold the pool), then the
    link is recorded in a new transaction; when Telegram does not make the link, the
    payment is deleted (nothing is left pending). A retry with the same
    ``Idempotency-Key`` answers the first payment as it is now (asking Telegram for its
    link if it has none yet)."""
    if not settings.stars_min <= stars <= settings.stars_max:
        raise StarsOutOfRange(
            f"stars must be between {settings.stars_min} and {settings.stars_max}"
        )
    user_id = user.id
    conn = await work.transaction()
    payment = None
    if idempotency_key is not None:
        payment = await repository.keyed_payment(conn, user_id, idempotency_key)
    if payment is None:
        amount_rub = stars * settings.stars_rub_rate
        payment = await repository.insert_payment(
            conn, new_payment_id(), user_id, stars, amount_rub, idempotency_key, now
        )
    if payment is None:  # the same key, committed meanwhile by a concurrent request
        assert idempotency_key is not None
        payment = await repository.keyed_payment(conn, user_id, idempotency_key)
        assert payment is not None
    if payment["stars"] != stars:
        raise IdempotencyKeyConflict()
    if payment["invoice_url"] is not None:
        return invoice_view(payment)
    await work.commit_and_release()

    payment_id: str = payment["id"]
    amount_rub = payment["amount_rub"]
    lang = texts.language(user.language_code)
    try:
        url = await bot.create_invoice_link(
            title=texts.invoice_title(lang),
            description=texts.invoice_description(lang, stars, amount_rub),
            payload=payment_id,
            currency=STARS_CURRENCY,
            prices=[LabeledPrice(label=texts.invoice_title(lang), amount=stars)],
            provider_token="",
        )
    except BOT_API_FAILURES as error:
        logger.warning(
            "createInvoiceLink failed: %s",
            type(error).__name__,
            extra={"payment_id": payment_id, "error": type(error).__name__},
        )
        metrics.PAYMENTS.labels(PAYMENT_FAILED).inc()
        conn = await work.transaction()
        await repository.delete_unlinked_payment(conn, payment_id)
        await work.commit_and_release()
        raise PaymentProviderError() from error
    conn = await work.transaction()
    return invoice_view(await repository.set_invoice_url(conn, payment_id, url))


async def read_invoice(conn: Connection, user_id: int, payment_id: str) -> dict[str, Any]:
    payment = await repository.find_payment(conn, payment_id)
    if payment is None or payment["user_id"] != user_id:
        raise PaymentNotFound()
    return invoice_view(payment)


async def payment_of_payload(conn: Connection, payload: str | None) -> Record | None:
    if not payload or PAYMENT_ID.fullmatch(payload) is None:
        return None
    return await repository.find_payment(conn, payload)


def checkout_refusal(
    payment: Record | None, user_id: int, total_amount: int, currency: str
) -> texts.CheckoutRefusal | None:
    """Why a pre-checkout query must be refused, or None to accept it: only a pending
    payment of the same user, for the same number of stars, in Stars."""
    if payment is None:
        return "unknown"
    if payment["user_id"] != user_id:
        return "not_yours"
    if payment["status"] != PaymentStatus.pending:
        return "not_pending"
    if currency != STARS_CURRENCY:
        return "currency"
    if payment["stars"] != total_amount:
        return "amount"
    return None


@dataclass(frozen=True)
class IncomingCharge:
    """A payment Telegram reports (``successful_payment``, or a Stars transaction)."""

    telegram_payment_charge_id: str
    provider_payment_charge_id: str | None
    user_id: int
    invoice_payload: str | None
    stars: int
    currency: str = STARS_CURRENCY


CHARGE_ID_MAX_LENGTH = 256
"""The longest charge id the table keeps (Telegram's are far shorter)."""


def charge_rejection(charge: IncomingCharge, settings: Settings) -> str | None:
    """Why a reported charge cannot be a real payment of ours, or None when it can.

    Such a charge is recorded as rejected and never credited: it will not become valid
    by being delivered again, so it must not fail the update (Telegram would redeliver
    it forever)."""
    if charge.currency != STARS_CURRENCY:
        return "not in Stars"
    if not 1 <= charge.user_id <= BIGINT_MAX:
        return "payer id out of range"
    if not settings.stars_min <= charge.stars <= settings.stars_max:
        return "stars out of range"
    if not 1 <= len(charge.telegram_payment_charge_id) <= CHARGE_ID_MAX_LENGTH:
        return "charge id length"
    if len(charge.provider_payment_charge_id or "") > CHARGE_ID_MAX_LENGTH:
        return "provider charge id length"
    return None


@dataclass(frozen=True)
class Credit:
    charge_id: int
    stars: int
    amount_rub: int
    balance: int
    payment_id: str | None


async def credit_charge(
    conn: Connection, settings: Settings, charge: IncomingCharge, now: datetime
) -> Credit | None:
    """Record the charge and credit its payer, once: None when it was recorded before.

    The payer must exist as a user. A charge of a payment of the same user for the same
    stars credits what the invoice promised; any other charge (an unknown payload, another
    user's invoice) is still the payer's money, credited at the current rate and linked
    to no payment.
    """
    assert charge_rejection(charge, settings) is None, "the caller rejects impossible charges"
    payment = await payment_of_payload(conn, charge.invoice_payload)
    if payment is not None and (
        payment["user_id"] != charge.user_id or payment["stars"] != charge.stars
    ):
        # Another user's invoice, or a charge for other than its stars (less than the
        # invoice asked): the payer's money all the same, but the invoice stays unpaid.
        payment = None
    if payment is not None:
        amount_rub: int = payment["amount_rub"]
    else:
        amount_rub = charge.stars * settings.stars_rub_rate
        logger.warning(
            "a Stars charge of no payment of its payer, or not for its stars: credited anyway",
            extra={"charge": charge.telegram_payment_charge_id, "user_id": charge.user_id},
        )
    row = await repository.insert_charge(
        conn,
        telegram_payment_charge_id=charge.telegram_payment_charge_id,
        provider_payment_charge_id=charge.provider_payment_charge_id,
        payment_id=payment["id"] if payment is not None else None,
        user_id=charge.user_id,
        invoice_payload=charge.invoice_payload,
        stars=charge.stars,
        amount_rub=amount_rub,
        now=now,
    )
    if row is None:
        return None
    entry = await ledger.change_balance(
        conn,
        charge.user_id,
        amount_rub,
        LedgerType.recharge,
        now=now,
        method=STARS_METHOD,
        payment_charge_id=row["id"],
    )
    assert entry is not None  # a credit always applies
    if payment is not None:
        await repository.mark_paid(conn, payment["id"], now)
    metrics.PAYMENTS.labels(PAYMENT_PAID).inc()
    INCOME_RUB.labels(STARS_METHOD).inc(amount_rub)
    return Credit(
        charge_id=row["id"],
        stars=charge.stars,
        amount_rub=amount_rub,
        balance=entry["balance_after"],
        payment_id=row["payment_id"],
    )
