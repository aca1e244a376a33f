"""Refunds of top-ups (``srochno payments refund-topup``, the admin's action): YooKassa's
``POST /refunds`` with a refund receipt, then the credit debited (ledger
``payment_refund``, linked to the top-up) and the top-up marked refunded.

Refused, with nothing called, unless the top-up is paid and the balance still covers it.
The top-up and the user stay locked while YooKassa is called (an operator's action, not
a request path: one connection for a few seconds at most); the ``Idempotence-Key`` is
the top-up's, so a refund retried after a crash is not made twice at YooKassa.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from srochno import clock
from srochno.db import Connection
from srochno.enums import AdminActionType, LedgerType, TopupStatus
from srochno.ledger import repository as ledger
from srochno.metrics import TOPUPS
from srochno.payments import topup_repository as repository
from srochno.payments import yookassa
from srochno.payments.errors import (
    TopupNotFound,
    TopupNotRefundable,
    TopupRefundExceedsBalance,
    TopupRefundFailed,
)
from srochno.payments.yookassa import YooKassaClient, YooKassaError
from srochno.staff.service import Operator, clean_reason, record_action, require_admin
from srochno.telegram import texts
from srochno.users import repository as users

logger = logging.getLogger(__name__)

REFUND_KEY_PREFIX = "refund-"


@dataclass(frozen=True)
class TopupRefund:
    topup_id: str
    user_id: int
    debited_rub: int
    balance: int
    yookassa_refund_id: str | None


async def refund_topup(
    conn: Connection, client: YooKassaClient, vat_code: int, topup_id: str, now: datetime
) -> TopupRefund:
    """Refund a paid top-up through YooKassa and debit its credit, in the caller's
    transaction (a :class:`TopupRefundFailed` leaves it to be rolled back)."""
    topup = await repository.lock(conn, topup_id)
    if topup is None:
        raise TopupNotFound(f"No top-up {topup_id!r}")
    if topup["status"] != TopupStatus.paid:
        raise TopupNotRefundable(f"Top-up {topup_id!r} is {topup['status']}, not paid")
    user_id: int = topup["user_id"]
    amount: int = topup["amount_rub"]
    await ledger.lock_user(conn, user_id)
    balance = await users.balance_of(conn, user_id)
    if balance < amount:
        raise TopupRefundExceedsBalance(
            f"The balance ({balance} ₽) no longer covers top-up {topup_id!r} ({amount} ₽)"
        )
    email = topup["receipt_email"] or await users.receipt_email(conn, user_id)
    body = {
        "payment_id": topup["yookassa_payment_id"],
        "amount": yookassa.rubles(amount),
        "description": f"Srochno: {topup_id}",
    }
    if email:
        body["receipt"] = yookassa.receipt(email, amount, vat_code, texts.language(None))
    try:
        refund = await client.refund(body, idempotence_key=REFUND_KEY_PREFIX + topup_id)
    except YooKassaError as error:
        raise TopupRefundFailed(f"YooKassa refused the refund: {error}") from error
    if refund.get("status") == yookassa.CANCELED:
        raise TopupRefundFailed("YooKassa canceled the refund")
    refund_id = refund.get("id") if isinstance(refund.get("id"), str) else None
    entry = await ledger.change_balance(
        conn, user_id, -amount, LedgerType.payment_refund, now=now, topup_id=topup_id
    )
    assert entry is not None, "the balance was checked under the user's lock"
    refunded = await repository.mark_refunded(conn, topup_id, now, refund_id)
    assert refunded is not None, "the top-up was paid under its lock"
    TOPUPS.labels("refunded").inc()
    return TopupRefund(
        topup_id=topup_id,
        user_id=user_id,
        debited_rub=amount,
        balance=entry["balance_after"],
        yookassa_refund_id=refund_id,
    )


async def refund_topup_by_operator(
    conn: Connection,
    operator: Operator,
    client: YooKassaClient,
    vat_code: int,
    topup_id: str,
    reason: str,
) -> TopupRefund:
    """An admin's refund of a top-up from the panel, with its audit row."""
    require_admin(operator)
    reason = clean_reason(reason)
    refund = await refund_topup(conn, client, vat_code, topup_id, clock.now())
    await record_action(
        conn,
        operator,
        AdminActionType.refund_topup,
        "topup",
        topup_id,
        reason,
        user_id=refund.user_id,
        amount=-refund.debited_rub,
        balance_after=refund.balance,
        yookassa_refund_id=refund.yookassa_refund_id,
    )
    return refund
