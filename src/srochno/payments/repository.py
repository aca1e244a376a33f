"""Payments' SQL: invoices, charges, and the statuses they move through."""

from __future__ import annotations

from datetime import datetime

from srochno.db import Connection, Record
from srochno.enums import STARS_CURRENCY, PaymentStatus

PAYMENT_COLUMNS = (
    "id, user_id, stars, amount_rub, currency, status, invoice_url, idempotency_key, "
    "created_at, paid_at, refunded_at"
)
CHARGE_COLUMNS = (
    "id, telegram_payment_charge_id, provider_payment_charge_id, payment_id, user_id, "
    "invoice_payload, stars, amount_rub, created_at, refunded_at, refunded_rub, "
    "refund_shortfall_rub"
)

# A key already used waits here until the first request commits (then nothing is inserted)
# or rolls back (then this one inserts).
INSERT_PAYMENT = (
    "INSERT INTO payments (id, user_id, stars, amount_rub, currency, status, idempotency_key, "
    f"created_at) VALUES ($1, $2, $3, $4, '{STARS_CURRENCY}', '{PaymentStatus.pending}', $5, $6) "
    f"ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING {PAYMENT_COLUMNS}"
)
# A concurrent retry may have set it first: the first link stays.
SET_INVOICE_URL = (
    "UPDATE payments SET invoice_url = COALESCE(invoice_url, $2) WHERE id = $1 "
    f"RETURNING {PAYMENT_COLUMNS}"
)
# A payment Telegram made no link for: nobody can have paid it.
DELETE_UNLINKED_PAYMENT = (
    f"DELETE FROM payments WHERE id = $1 AND status = '{PaymentStatus.pending}' "
    "AND invoice_url IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM payment_charges WHERE payment_id = $1)"
)
SELECT_PAYMENT = f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = $1"
KEYED_PAYMENT = (
    f"SELECT {PAYMENT_COLUMNS} FROM payments WHERE user_id = $1 AND idempotency_key = $2"
)
MARK_PAID = (
    f"UPDATE payments SET status = '{PaymentStatus.paid}', paid_at = COALESCE(paid_at, $2) "
    "WHERE id = $1"
)
# Refunded once no charge of the payment stands any more.
MARK_REFUNDED = (
    f"UPDATE payments SET status = '{PaymentStatus.refunded}', refunded_at = $2 WHERE id = $1 "
    "AND NOT EXISTS (SELECT 1 FROM payment_charges WHERE payment_id = $1 AND refunded_at IS NULL)"
)

INSERT_CHARGE = (
    "INSERT INTO payment_charges (telegram_payment_charge_id, provider_payment_charge_id, "
    "payment_id, user_id, invoice_payload, stars, amount_rub, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) "
    f"ON CONFLICT (telegram_payment_charge_id) DO NOTHING RETURNING {CHARGE_COLUMNS}"
)
LOCK_CHARGE = (
    f"SELECT {CHARGE_COLUMNS} FROM payment_charges WHERE telegram_payment_charge_id = $1 "
    "FOR NO KEY UPDATE"
)
TELEGRAM_CHARGE_ID = "SELECT telegram_payment_charge_id FROM payment_charges WHERE id = $1"
MARK_CHARGE_REFUNDED = (
    "UPDATE payment_charges SET refunded_at = $2, refunded_rub = $3, refund_shortfall_rub = $4 "
    f"WHERE id = $1 RETURNING {CHARGE_COLUMNS}"
)
CHARGE_STATES = (
    "SELECT telegram_payment_charge_id, refunded_at IS NOT NULL AS refunded FROM payment_charges"
)


async def insert_payment(
    conn: Connection,
    payment_id: str,
    user_id: int,
    stars: int,
    amount_rub: int,
    idempotency_key: str | None,
    now: datetime,
) -> Record | None:
    """The new pending payment, or None when the user's key was used meanwhile."""
    return await conn.fetchrow(
        INSERT_PAYMENT, payment_id, user_id, stars, amount_rub, idempotency_key, now
    )


async def set_invoice_url(conn: Connection, payment_id: str, url: str) -> Record:
    row = await conn.fetchrow(SET_INVOICE_URL, payment_id, url)
    assert row is not None
    return row


async def delete_unlinked_payment(conn: Connection, payment_id: str) -> None:
    await conn.execute(DELETE_UNLINKED_PAYMENT, payment_id)


async def find_payment(conn: Connection, payment_id: str) -> Record | None:
    return await conn.fetchrow(SELECT_PAYMENT, payment_id)


async def keyed_payment(conn: Connection, user_id: int, key: str) -> Record | None:
    return await conn.fetchrow(KEYED_PAYMENT, user_id, key)


async def mark_paid(conn: Connection, payment_id: str, now: datetime) -> None:
    await conn.execute(MARK_PAID, payment_id, now)


async def mark_refunded_if_settled(conn: Connection, payment_id: str, now: datetime) -> None:
    await conn.execute(MARK_REFUNDED, payment_id, now)


async def insert_charge(
    conn: Connection,
    *,
    telegram_payment_charge_id: str,
    provider_payment_charge_id: str | None,
    payment_id: str | None,
    user_id: int,
    invoice_payload: str | None,
    stars: int,
    amount_rub: int,
    now: datetime,
) -> Record | None:
    """The new charge, or None when it is already recorded (a redelivery, a concurrent
    copy: the insert waits for that copy's transaction)."""
    return await conn.fetchrow(
        INSERT_CHARGE,
        telegram_payment_charge_id,
        provider_payment_charge_id,
        payment_id,
        user_id,
        invoice_payload,
        stars,
        amount_rub,
        now,
    )


async def lock_charge(conn: Connection, telegram_payment_charge_id: str) -> Record | None:
    return await conn.fetchrow(LOCK_CHARGE, telegram_payment_charge_id)


async def telegram_charge_id(conn: Connection, charge_pk: int) -> str | None:
    value: str | None = await conn.fetchval(TELEGRAM_CHARGE_ID, charge_pk)
    return value


async def mark_charge_refunded(
    conn: Connection, charge_id: int, now: datetime, refunded_rub: int, shortfall_rub: int
) -> Record:
    row = await conn.fetchrow(MARK_CHARGE_REFUNDED, charge_id, now, refunded_rub, shortfall_rub)
    assert row is not None
    return row


async def charge_states(conn: Connection) -> dict[str, bool]:
    """Every recorded charge id, and whether it was refunded."""
    return {
        row["telegram_payment_charge_id"]: row["refunded"]
        for row in await conn.fetch(CHARGE_STATES)
    }
