from __future__ import annotations

from starlette.responses import Response

from srochno.auth.dependencies import CurrentUser
from srochno.auth.errors import AUTH_ERRORS
from srochno.errors import IdempotencyKeyConflict, responses
from srochno.ledger import service
from srochno.ledger.errors import DevRechargeDisabled
from srochno.ledger.schemas import BalanceOut, RechargeIn, RechargeOut, TransactionOut
from srochno.responses import json_response
from srochno.schemas import IdempotencyKey, Limit, Offset, Page
from srochno.state import ReadConnection, SettingsDep, WriteConnection, domain_router

router = domain_router(prefix="/api/balance", tags=["balance"])


@router.get("", response_model=BalanceOut, responses=responses(*AUTH_ERRORS))
async def read_balance(user: CurrentUser) -> Response:
    return json_response({"balance": user.balance, "currency": "RUB"})


@router.post(
    "/recharge",
    response_model=RechargeOut,
    responses=responses(*AUTH_ERRORS, DevRechargeDisabled, IdempotencyKeyConflict),
)
async def recharge(
    body: RechargeIn,
    user: CurrentUser,
    conn: WriteConnection,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Credit the balance without payment (development only). A retry with the same
    `Idempotency-Key` returns the first answer and credits nothing."""
    if not settings.dev_recharge_enabled:
        raise DevRechargeDisabled()
    return json_response(
        await service.recharge(conn, user.id, body.amount, body.method, idempotency_key)
    )


@router.get("/transactions", response_model=Page[TransactionOut], responses=responses(*AUTH_ERRORS))
async def list_transactions(
    user: CurrentUser, conn: ReadConnection, limit: Limit = 20, offset: Offset = 0
) -> Response:
    """My ledger, newest first."""
    return json_response(await service.list_transactions(conn, user.id, limit=limit, offset=offset))
