from __future__ import annotations

from fastapi import APIRouter, Request

from srochno.auth.dependencies import CurrentUser
from srochno.config import Settings
from srochno.db import DbSession
from srochno.errors import AUTH_ERRORS, IdempotencyKeyConflict, responses
from srochno.ledger import service
from srochno.ledger.schemas import BalanceOut, RechargeIn, RechargeOut, TransactionOut
from srochno.schemas import IdempotencyKey, Limit, Offset, Page

router = APIRouter(prefix="/api/balance", tags=["balance"])


@router.get("", response_model=BalanceOut, responses=responses(*AUTH_ERRORS))
async def read_balance(user: CurrentUser) -> BalanceOut:
    return BalanceOut(balance=user.balance)


@router.post(
    "/recharge",
    response_model=RechargeOut,
    responses=responses(*AUTH_ERRORS, service.DevRechargeDisabled, IdempotencyKeyConflict),
)
async def recharge(
    body: RechargeIn,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> RechargeOut:
    """Credit the balance without payment (development only). A retry with the same
    `Idempotency-Key` returns the first answer and credits nothing."""
    settings: Settings = request.app.state.settings
    if not settings.dev_recharge_enabled:
        raise service.DevRechargeDisabled()
    entry = await service.recharge(session, user, body.amount, body.method, idempotency_key)
    return RechargeOut(
        balance=entry.balance_after, transaction=TransactionOut.model_validate(entry)
    )


@router.get("/transactions", response_model=Page[TransactionOut], responses=responses(*AUTH_ERRORS))
async def list_transactions(
    user: CurrentUser, session: DbSession, limit: Limit = 20, offset: Offset = 0
) -> Page[TransactionOut]:
    """My ledger, newest first."""
    rows, total = await service.list_transactions(session, user, limit=limit, offset=offset)
    return Page[TransactionOut](
        items=[TransactionOut.model_validate(row) for row in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
