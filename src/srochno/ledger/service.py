"""Balance changes. The balance and its ledger row are written together, under the user's
row lock, so ``balance == sum(amount)`` and every ``balance_after`` is the running sum."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from srochno import clock
from srochno.errors import AppError, IdempotencyKeyConflict
from srochno.models import LedgerEntry, User


class DevRechargeDisabled(AppError):
    status = 403
    code = "dev_recharge_disabled"
    message = "Recharge without payment is available only in development"


async def change_balance(
    session: AsyncSession,
    user_id: int,
    amount: int,
    entry_type: str,
    *,
    now: datetime,
    order_id: str | None = None,
    take_id: int | None = None,
    method: str | None = None,
    idempotency_key: str | None = None,
) -> LedgerEntry | None:
    """Add ``amount`` (negative for a debit) to the balance and write its ledger row.

    Returns None, changing nothing, when a debit is larger than the balance. The
    conditional UPDATE takes the user's row lock; ``CHECK (balance >= 0)`` backs it up.
    """
    balance = await session.scalar(
        update(User)
        .where(User.id == user_id, User.balance + amount >= 0)
        .values(balance=User.balance + amount)
        .returning(User.balance)
    )
    if balance is None:
        return None
    entry = LedgerEntry(
        user_id=user_id,
        type=entry_type,
        amount=amount,
        balance_after=balance,
        order_id=order_id,
        take_id=take_id,
        method=method,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    session.add(entry)
    await session.flush()
    return entry


async def current_balance(session: AsyncSession, user_id: int) -> int:
    balance = await session.scalar(select(User.balance).where(User.id == user_id))
    return balance or 0


async def recharge(
    session: AsyncSession, user: User, amount: int, method: str, idempotency_key: str | None
) -> LedgerEntry:
    """Credit ``amount``; with an ``Idempotency-Key`` a retry returns the first credit."""
    await session.execute(select(User.id).where(User.id == user.id).with_for_update(key_share=True))
    if idempotency_key is not None:
        previous = await session.scalar(
            select(LedgerEntry).where(
                LedgerEntry.user_id == user.id, LedgerEntry.idempotency_key == idempotency_key
            )
        )
        if previous is not None:
            if previous.type != "recharge" or previous.amount != amount:
                raise IdempotencyKeyConflict()
            return previous
    entry = await change_balance(
        session,
        user.id,
        amount,
        "recharge",
        now=clock.now(),
        method=method,
        idempotency_key=idempotency_key,
    )
    assert entry is not None  # a credit always applies
    return entry


async def list_transactions(
    session: AsyncSession, user: User, *, limit: int, offset: int
) -> tuple[list[LedgerEntry], int]:
    total = await session.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.user_id == user.id)
    )
    rows = (
        await session.scalars(
            select(LedgerEntry)
            .where(LedgerEntry.user_id == user.id)
            .order_by(LedgerEntry.id.desc())
            .limit(limit)
            .offset(offset)
        )
    ).all()
    return list(rows), total or 0
