"""Top-ups' SQL: the row from its creation to its credit, cancellation or refund."""

from __future__ import annotations

from datetime import datetime

from srochno.db import Connection, Record
from srochno.enums import TopupStatus

COLUMNS = (
    "id, user_id, amount_rub, status, yookassa_payment_id, confirmation_url, receipt_email, "
    "idempotency_key, yookassa_refund_id, created_at, paid_at, canceled_at, refunded_at"
)
OPEN_STATUSES = frozenset({TopupStatus.pending, TopupStatus.failed})
OPEN = f"('{TopupStatus.pending}', '{TopupStatus.failed}')"
"""Statuses a YooKassa payment may still settle: ``failed`` too, since a call that timed
out may have created the payment at YooKassa all the same."""

# A key already used waits here until the first request commits (then nothing is inserted).
INSERT = (
    "INSERT INTO topups (id, user_id, amount_rub, status, receipt_email, idempotency_key, "
    f"created_at) VALUES ($1, $2, $3, '{TopupStatus.pending}', $4, $5, $6) "
    f"ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING {COLUMNS}"
)
SELECT = f"SELECT {COLUMNS} FROM topups WHERE id = $1"
KEYED = f"SELECT {COLUMNS} FROM topups WHERE user_id = $1 AND idempotency_key = $2"
# YooKassa's answer to the creation: a failed row is pending again (a retry reached it).
RECORD_PAYMENT = (
    "UPDATE topups SET yookassa_payment_id = $2, confirmation_url = $3, "
    f"status = CASE WHEN status = '{TopupStatus.failed}' THEN '{TopupStatus.pending}' "
    "ELSE status END "
    f"WHERE id = $1 AND (yookassa_payment_id IS NULL OR yookassa_payment_id = $2) "
    f"RETURNING {COLUMNS}"
)
MARK_FAILED = (
    f"UPDATE topups SET status = '{TopupStatus.failed}' "
    f"WHERE id = $1 AND status = '{TopupStatus.pending}' AND yookassa_payment_id IS NULL "
    f"RETURNING {COLUMNS}"
)
# Only one transaction moves a top-up out of its open statuses: the one that credits it.
MARK_PAID = (
    f"UPDATE topups SET status = '{TopupStatus.paid}', paid_at = $3, yookassa_payment_id = $2 "
    f"WHERE id = $1 AND status IN {OPEN} "
    "AND (yookassa_payment_id IS NULL OR yookassa_payment_id = $2) "
    f"RETURNING {COLUMNS}"
)
MARK_CANCELED = (
    f"UPDATE topups SET status = '{TopupStatus.canceled}', canceled_at = $3 "
    f"WHERE id = $1 AND status IN {OPEN} "
    "AND (yookassa_payment_id IS NULL OR yookassa_payment_id = $2) "
    f"RETURNING {COLUMNS}"
)
LOCK = f"SELECT {COLUMNS} FROM topups WHERE id = $1 FOR NO KEY UPDATE"
MARK_REFUNDED = (
    f"UPDATE topups SET status = '{TopupStatus.refunded}', refunded_at = $2, "
    f"yookassa_refund_id = $3 WHERE id = $1 AND status = '{TopupStatus.paid}' "
    f"RETURNING {COLUMNS}"
)
STATES = f"SELECT {COLUMNS} FROM topups WHERE yookassa_payment_id IS NOT NULL OR status IN {OPEN}"


async def insert(
    conn: Connection,
    topup_id: str,
    user_id: int,
    amount_rub: int,
    email: str,
    idempotency_key: str | None,
    now: datetime,
) -> Record | None:
    """The new pending top-up, or None when the user's key was used meanwhile."""
    return await conn.fetchrow(INSERT, topup_id, user_id, amount_rub, email, idempotency_key, now)


async def find(conn: Connection, topup_id: str) -> Record | None:
    return await conn.fetchrow(SELECT, topup_id)


async def keyed(conn: Connection, user_id: int, key: str) -> Record | None:
    return await conn.fetchrow(KEYED, user_id, key)


async def record_payment(
    conn: Connection, topup_id: str, payment_id: str, confirmation_url: str | None
) -> Record | None:
    return await conn.fetchrow(RECORD_PAYMENT, topup_id, payment_id, confirmation_url)


async def mark_failed(conn: Connection, topup_id: str) -> Record | None:
    return await conn.fetchrow(MARK_FAILED, topup_id)


async def mark_paid(
    conn: Connection, topup_id: str, payment_id: str, now: datetime
) -> Record | None:
    """The top-up now paid, or None when it was settled before (by a copy of the
    notification in another process, say: this update waits for that one's commit)."""
    return await conn.fetchrow(MARK_PAID, topup_id, payment_id, now)


async def mark_canceled(
    conn: Connection, topup_id: str, payment_id: str, now: datetime
) -> Record | None:
    return await conn.fetchrow(MARK_CANCELED, topup_id, payment_id, now)


async def lock(conn: Connection, topup_id: str) -> Record | None:
    return await conn.fetchrow(LOCK, topup_id)


async def mark_refunded(
    conn: Connection, topup_id: str, now: datetime, refund_id: str | None
) -> Record | None:
    return await conn.fetchrow(MARK_REFUNDED, topup_id, now, refund_id)


async def states(conn: Connection) -> list[Record]:
    """Every top-up YooKassa may know: with a payment, or still open."""
    return await conn.fetch(STATES)
