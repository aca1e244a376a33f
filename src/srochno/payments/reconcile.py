"""``srochno payments reconcile``: Telegram's Stars transactions against our charges.

Telegram's transaction of an incoming payment has the charge's id
(``telegram_payment_charge_id``); the refund of a payment has the same id again, going
the other way. Charges Telegram has and we do not are credited with ``--apply`` (as the
``successful_payment`` would have been); everything else is reported.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.types import StarTransaction, TransactionPartnerUser

from srochno import clock
from srochno.config import Settings
from srochno.db import Database
from srochno.payments import repository
from srochno.payments.service import IncomingCharge, credit_charge
from srochno.users.service import ensure_user

logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # the most getStarTransactions returns at once
INVOICE_PAYMENT = "invoice_payment"


@dataclass
class Report:
    telegram_payments: int = 0
    our_charges: int = 0
    missing_here: list[str] = field(default_factory=list)
    """Paid at Telegram, not recorded here (credited with ``--apply``)."""
    missing_at_telegram: list[str] = field(default_factory=list)
    """Recorded here, unknown to Telegram."""
    refunded_at_telegram_only: list[str] = field(default_factory=list)
    refunded_here_only: list[str] = field(default_factory=list)
    credited: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing left to look at (credited charges are settled)."""
        return not (
            set(self.missing_here) - set(self.credited)
            or self.missing_at_telegram
            or self.refunded_at_telegram_only
            or self.refunded_here_only
        )


async def star_transactions(bot: Bot, page_size: int = PAGE_SIZE) -> AsyncIterator[StarTransaction]:
    """Every Stars transaction of the bot, page by page."""
    offset = 0
    while True:
        page = await bot.get_star_transactions(offset=offset, limit=page_size)
        for transaction in page.transactions:
            yield transaction
        if len(page.transactions) < page_size:
            return
        offset += len(page.transactions)


def incoming_payment(transaction: StarTransaction) -> IncomingCharge | None:
    """The charge of a user's invoice payment, or None for any other transaction."""
    source = transaction.source
    if not isinstance(source, TransactionPartnerUser):
        return None
    if source.transaction_type != INVOICE_PAYMENT or transaction.amount <= 0:
        return None
    return IncomingCharge(
        telegram_payment_charge_id=transaction.id,
        provider_payment_charge_id=None,
        user_id=source.user.id,
        invoice_payload=source.invoice_payload,
        stars=transaction.amount,
    )


def refunded_to_user(transaction: StarTransaction) -> bool:
    receiver = transaction.receiver
    return isinstance(receiver, TransactionPartnerUser) and receiver.transaction_type == (
        INVOICE_PAYMENT
    )


async def reconcile(db: Database, bot: Bot, settings: Settings, *, apply: bool) -> Report:
    report = Report()
    paid: dict[str, tuple[IncomingCharge, TransactionPartnerUser]] = {}
    refunded: set[str] = set()
    async for transaction in star_transactions(bot):
        charge = incoming_payment(transaction)
        if charge is not None:
            assert isinstance(transaction.source, TransactionPartnerUser)
            paid[charge.telegram_payment_charge_id] = (charge, transaction.source)
        elif refunded_to_user(transaction):
            refunded.add(transaction.id)
    report.telegram_payments = len(paid)
    async with db.connection() as conn:
        ours = await repository.charge_states(conn)
    report.our_charges = len(ours)
    report.missing_here = sorted(set(paid) - set(ours))
    report.missing_at_telegram = sorted(set(ours) - set(paid))
    report.refunded_at_telegram_only = sorted(
        charge for charge in refunded if charge in ours and not ours[charge]
    )
    report.refunded_here_only = sorted(
        charge
        for charge, done in ours.items()
        if done and charge in paid and charge not in refunded
    )
    if apply:
        for charge_id in report.missing_here:
            charge, partner = paid[charge_id]
            now = clock.now()
            async with db.transaction() as conn:
                await ensure_user(conn, partner.user, now)
                if await credit_charge(conn, settings, charge, now) is not None:
                    report.credited.append(charge_id)
    return report
