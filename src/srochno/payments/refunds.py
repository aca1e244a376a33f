"""Refunds of Stars charges: ours (``srochno payments refund``) and ones made elsewhere
(a ``refunded_payment`` update).

A refund debits what the charge credited (ledger ``payment_refund``, linked to the charge)
and marks the charge refunded, and its payment once none of its charges stands. The charge
row is locked first, then the user's: one refund per charge, whatever runs at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest

from srochno import clock, metrics
from srochno.db import Connection, Record
from srochno.enums import AdminActionType, LedgerType
from srochno.ledger import repository as ledger
from srochno.payments import repository
from srochno.payments.errors import (
    ChargeAlreadyRefunded,
    ChargeNotFound,
    RefundExceedsBalance,
    RefundFailed,
)
from srochno.payments.service import PAYMENT_REFUNDED
from srochno.staff.service import Operator, clean_reason, record_action, require_admin
from srochno.telegram.errors import BOT_API_FAILURES, BotNotConfigured
from srochno.users import repository as users

logger = logging.getLogger(__name__)

ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"
"""What Telegram answers for a charge it refunded before (here or elsewhere)."""


@dataclass(frozen=True)
class Refund:
    telegram_payment_charge_id: str
    user_id: int
    debited_rub: int
    shortfall_rub: int
    balance: int


async def record_refund(
    conn: Connection, charge: Record, now: datetime, *, debit_rub: int
) -> Refund:
    """Debit ``debit_rub`` (at most the credit) and mark the charge refunded; the rest of
    the credit is recorded as the shortfall. The user's row must be locked."""
    amount: int = charge["amount_rub"]
    assert 0 <= debit_rub <= amount
    entry = await ledger.change_balance(
        conn,
        charge["user_id"],
        -debit_rub,
        LedgerType.payment_refund,
        now=now,
        payment_charge_id=charge["id"],
    )
    assert entry is not None, "the caller checked the balance under the user's lock"
    await repository.mark_charge_refunded(conn, charge["id"], now, debit_rub, amount - debit_rub)
    if charge["payment_id"] is not None:
        await repository.mark_refunded_if_settled(conn, charge["payment_id"], now)
    metrics.PAYMENTS.labels(PAYMENT_REFUNDED).inc()
    return Refund(
        telegram_payment_charge_id=charge["telegram_payment_charge_id"],
        user_id=charge["user_id"],
        debited_rub=debit_rub,
        shortfall_rub=amount - debit_rub,
        balance=entry["balance_after"],
    )


async def refund_charge(conn: Connection, bot: Bot, charge_id: str, now: datetime) -> Refund:
    """Refund a charge through Telegram and debit its credit, in the caller's transaction.

    Refused (:class:`RefundRefused`, nothing called) when the charge is unknown, already
    refunded, or the balance no longer covers the credit. The charge and the user stay
    locked while Telegram is called; a Telegram error (:class:`RefundFailed`) leaves the
    transaction to be rolled back. A charge Telegram says it refunded before is recorded
    as refunded now.
    """
    charge = await repository.lock_charge(conn, charge_id)
    if charge is None:
        raise ChargeNotFound(f"No charge {charge_id!r} is recorded")
    if charge["refunded_at"] is not None:
        raise ChargeAlreadyRefunded(f"Charge {charge_id!r} is already refunded")
    await ledger.lock_user(conn, charge["user_id"])
    balance = await users.balance_of(conn, charge["user_id"])
    if balance < charge["amount_rub"]:
        raise RefundExceedsBalance(
            f"The balance ({balance} ₽) no longer covers the credit "
            f"({charge['amount_rub']} ₽) of charge {charge_id!r}"
        )
    try:
        await bot.refund_star_payment(
            user_id=charge["user_id"], telegram_payment_charge_id=charge_id
        )
    except TelegramBadRequest as error:
        if ALREADY_REFUNDED not in error.message:
            raise RefundFailed(f"Telegram refused the refund: {error.message}") from error
        logger.warning("charge already refunded at Telegram", extra={"charge": charge_id})
    except TelegramAPIError as error:  # a network error too (TelegramNetworkError)
        raise RefundFailed(f"Telegram refused the refund: {error.message}") from error
    except BOT_API_FAILURES as error:  # an answer aiogram cannot read, or none in time
        # Done or not at Telegram: a retry is safe (a done one answers "already refunded").
        unread = type(error).__name__
        raise RefundFailed(f"Telegram's answer was not understood ({unread})") from error
    return await record_refund(conn, charge, now, debit_rub=charge["amount_rub"])


async def refund_by_operator(
    conn: Connection, operator: Operator, bot: Bot | None, charge_pk: int, reason: str
) -> Refund:
    """An admin's refund of a Stars charge from the panel: the same refund as
    ``srochno payments refund``, with its audit row in the same transaction."""
    require_admin(operator)
    reason = clean_reason(reason)
    if bot is None:
        raise BotNotConfigured()
    charge_id = await repository.telegram_charge_id(conn, charge_pk)
    if charge_id is None:
        raise ChargeNotFound()
    refund = await refund_charge(conn, bot, charge_id, clock.now())
    await record_action(
        conn,
        operator,
        AdminActionType.refund_payment,
        "payment_charge",
        charge_pk,
        reason,
        telegram_payment_charge_id=charge_id,
        user_id=refund.user_id,
        amount=-refund.debited_rub,
        balance_after=refund.balance,
    )
    return refund


async def reconcile_refund(conn: Connection, charge_id: str, now: datetime) -> Refund | None:
    """A refund made elsewhere (a ``refunded_payment`` update): debit what the balance
    still allows and record the shortfall. None when the charge is unknown or already
    refunded here."""
    charge = await repository.lock_charge(conn, charge_id)
    if charge is None:
        logger.warning("refund of an unknown charge", extra={"charge": charge_id})
        return None
    if charge["refunded_at"] is not None:
        return None
    await ledger.lock_user(conn, charge["user_id"])
    balance = await users.balance_of(conn, charge["user_id"])
    refund = await record_refund(conn, charge, now, debit_rub=min(balance, charge["amount_rub"]))
    if refund.shortfall_rub:
        logger.warning(
            "refund made elsewhere exceeds the balance",
            extra={"charge": charge_id, "shortfall_rub": refund.shortfall_rub},
        )
    return refund
