"""Stars in the bot: the pre-checkout answer, a successful payment, a refund elsewhere."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import Message, PreCheckoutQuery, Update

from srochno import clock
from srochno.bot import repository as inbox
from srochno.bot.outbox import Outbox
from srochno.config import Settings
from srochno.db import Connection
from srochno.payments import refunds, service
from srochno.telegram import texts
from srochno.users.service import ensure_user

logger = logging.getLogger(__name__)


async def pre_checkout(query: PreCheckoutQuery, conn: Connection, outbox: Outbox) -> None:
    """Accept only a pending payment of this user, for its stars, in Stars."""
    payment = await service.payment_of_payload(conn, query.invoice_payload)
    refusal = service.checkout_refusal(
        payment, query.from_user.id, query.total_amount, query.currency
    )
    if refusal is None:
        outbox.add(query.answer(ok=True))
    else:
        lang = texts.language(query.from_user.language_code)
        outbox.add(query.answer(ok=False, error_message=texts.checkout_refused(lang, refusal)))


async def successful_payment(
    message: Message,
    event_update: Update,
    conn: Connection,
    settings: Settings,
    outbox: Outbox,
) -> None:
    payment = message.successful_payment
    payer = message.from_user
    assert payment is not None
    charge = service.IncomingCharge(
        telegram_payment_charge_id=payment.telegram_payment_charge_id,
        provider_payment_charge_id=payment.provider_payment_charge_id or None,
        user_id=payer.id if payer is not None else 0,
        invoice_payload=payment.invoice_payload,
        stars=payment.total_amount,
        currency=payment.currency,
    )
    rejection = "no payer" if payer is None else service.charge_rejection(charge, settings)
    if payer is None or rejection is not None:
        # Answered 200 and kept in the inbox as rejected: it never becomes valid.
        logger.warning(
            "successful_payment rejected: %s",
            rejection,
            extra={
                "update_id": event_update.update_id,
                "charge": charge.telegram_payment_charge_id[:64],
            },
        )
        await inbox.mark_rejected(conn, event_update.update_id)
        return
    now = clock.now()
    await ensure_user(conn, payer, now)
    credit = await service.credit_charge(conn, settings, charge, now)
    if credit is not None:
        lang = texts.language(payer.language_code)
        outbox.add(
            message.answer(
                texts.payment_received(lang, credit.stars, credit.amount_rub, credit.balance)
            )
        )


async def refunded_payment(message: Message, conn: Connection) -> None:
    refund = message.refunded_payment
    assert refund is not None
    await refunds.reconcile_refund(conn, refund.telegram_payment_charge_id, clock.now())


def router() -> Router:
    payments = Router(name="payments")
    payments.pre_checkout_query.register(pre_checkout)
    payments.message.register(successful_payment, F.successful_payment)
    payments.message.register(refunded_payment, F.refunded_payment)
    return payments
