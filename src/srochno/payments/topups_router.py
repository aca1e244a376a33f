"""Ruble top-ups: ``/api/balance/topups`` for the Mini App, ``/payments/yookassa`` for
YooKassa's notifications."""

from __future__ import annotations

from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel
from starlette.responses import Response

from srochno.auth.dependencies import CurrentUser
from srochno.auth.errors import AUTH_ERRORS
from srochno.config import Settings
from srochno.errors import DatabaseUnavailable, IdempotencyKeyConflict, responses
from srochno.payments import topups
from srochno.payments.errors import (
    InvalidNotification,
    NotificationForbidden,
    PaymentProviderError,
    ReceiptEmailRequired,
    TopupNotFound,
    TopupOutOfRange,
    TopupsNotConfigured,
)
from srochno.payments.topup_schemas import TopupIn, TopupOut
from srochno.payments.yookassa import YooKassaClient
from srochno.ratelimit import RateLimited
from srochno.responses import json_response
from srochno.schemas import IdempotencyKey
from srochno.state import DatabaseDep, ReadConnection, SettingsDep, Work, domain_router, settings_of

router = domain_router(prefix="/api/balance", tags=["balance"])
notifications = APIRouter(tags=["payments"])

TopupId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
CLIENTS = "yookassa_clients"


def client_for(state: object, settings: Settings) -> YooKassaClient:
    """The process's client for the configured shop (made on first use, one per
    configuration; closed with the application)."""
    if not settings.yookassa_enabled:
        raise TopupsNotConfigured()
    key = (
        settings.yookassa_shop_id,
        settings.yookassa_secret_key,
        settings.yookassa_api_url,
        settings.yookassa_timeout_seconds,
    )
    clients = cast(dict[object, YooKassaClient] | None, getattr(state, CLIENTS, None))
    if clients is None:
        clients = {}
        setattr(state, CLIENTS, clients)
    client = clients.get(key)
    if client is None:
        client = clients[key] = YooKassaClient(settings)
    return client


def yookassa_client(request: Request) -> YooKassaClient:
    return client_for(request.app.state, settings_of(request))


async def _yookassa(request: Request) -> YooKassaClient:
    return yookassa_client(request)


async def close_clients(state: object) -> None:
    for client in (getattr(state, CLIENTS, None) or {}).values():
        await client.close()


YooKassaDep = Annotated[YooKassaClient, Depends(_yookassa)]


@router.post(
    "/topups",
    status_code=201,
    response_model=TopupOut,
    responses=responses(
        *AUTH_ERRORS,
        TopupOutOfRange,
        ReceiptEmailRequired,
        IdempotencyKeyConflict,
        RateLimited,
        PaymentProviderError,
        TopupsNotConfigured,
        DatabaseUnavailable,
    ),
)
async def create_topup(
    body: TopupIn,
    user: CurrentUser,
    work: Work,
    settings: SettingsDep,
    client: YooKassaDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """A top-up in rubles through YooKassa (SBP or a card, on YooKassa's page): open
    `confirmation_url` with `Telegram.WebApp.openLink`, then read the top-up's status
    (never trust the return). `email` (for the 54-FZ receipt) is needed once, then kept.
    A retry with the same `Idempotency-Key` answers the same top-up."""
    topup = await topups.create_topup(
        work, client, settings, user, body.amount_rub, body.email, idempotency_key
    )
    return json_response(topup, 201)


@router.get(
    "/topups/{topup_id}",
    response_model=TopupOut,
    responses=responses(*AUTH_ERRORS, TopupNotFound, DatabaseUnavailable),
)
async def read_topup(topup_id: TopupId, user: CurrentUser, conn: ReadConnection) -> Response:
    """One of my top-ups: `pending` until YooKassa's payment succeeded and was credited,
    then `paid`; `canceled` when the payment was canceled; `failed` when YooKassa could not
    create it; `refunded` once refunded."""
    return json_response(await topups.read_topup(conn, user.id, topup_id))


class NotificationOut(BaseModel):
    outcome: topups.Outcome


@notifications.post(
    "/payments/yookassa",
    response_model=NotificationOut,
    responses=responses(
        NotificationForbidden,
        InvalidNotification,
        TopupsNotConfigured,
        PaymentProviderError,
        DatabaseUnavailable,
    ),
)
async def yookassa_notification(
    request: Request, db: DatabaseDep, settings: SettingsDep, client: YooKassaDep
) -> Response:
    """YooKassa's HTTP notifications (`payment.succeeded`, `payment.canceled`), accepted
    only from YooKassa's networks. The payment is read again from YooKassa; 200 once the
    change is recorded or the notification ignored; a 5xx only when it could not be
    (YooKassa then delivers it again)."""
    address = request.client.host if request.client is not None else None
    outcome = await topups.handle_notification(db, client, settings, address, await request.body())
    return json_response({"outcome": outcome})
