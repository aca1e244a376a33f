from __future__ import annotations

from typing import Annotated

from fastapi import Path
from starlette.responses import Response

from srochno import clock
from srochno.auth.dependencies import CurrentUser, TelegramUser
from srochno.auth.errors import AUTH_ERRORS
from srochno.errors import IdempotencyKeyConflict, responses
from srochno.payments import service
from srochno.payments.errors import PaymentNotFound, PaymentProviderError, StarsOutOfRange
from srochno.payments.schemas import InvoiceIn, InvoiceOut
from srochno.ratelimit import RateLimited
from srochno.responses import json_response
from srochno.schemas import IdempotencyKey
from srochno.state import BotDep, ReadConnection, SettingsDep, Work, domain_router
from srochno.telegram.errors import BotNotConfigured
from srochno.users.errors import TelegramOnly

router = domain_router(prefix="/api/balance", tags=["balance"])

PaymentId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "/invoices",
    status_code=201,
    response_model=InvoiceOut,
    responses=responses(
        *AUTH_ERRORS,
        TelegramOnly,
        StarsOutOfRange,
        IdempotencyKeyConflict,
        RateLimited,
        PaymentProviderError,
        BotNotConfigured,
    ),
)
async def create_invoice(
    body: InvoiceIn,
    user: TelegramUser,  # Stars exist only inside Telegram
    work: Work,
    settings: SettingsDep,
    bot: BotDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A Stars invoice to top up the balance: open `invoice_url` with
    `Telegram.WebApp.openInvoice`, then read the payment's status (never trust the
    callback). `amount_rub = stars × STARS_RUB_RATE`. A retry with the same
    `Idempotency-Key` answers the same payment."""
    invoice = await service.create_invoice(
        work, bot, settings, user, body.stars, idempotency_key, clock.now()
    )
    return json_response(invoice, 201)


@router.get(
    "/invoices/{payment_id}",
    response_model=InvoiceOut,
    responses=responses(*AUTH_ERRORS, PaymentNotFound),
)
async def read_invoice(payment_id: PaymentId, user: CurrentUser, conn: ReadConnection) -> Response:
    """One of my payments: `pending` until Telegram's payment is credited, then `paid`;
    `refunded` once refunded."""
    return json_response(await service.read_invoice(conn, user.id, payment_id))
