"""Balance changes. The balance and its ledger row are written together, under the user's
row lock, so ``balance == sum(amount)`` and every ``balance_after`` is the running sum."""

from __future__ import annotations

from typing import Any

from srochno import clock
from srochno.db import Connection, Record
from srochno.enums import LedgerType
from srochno.errors import IdempotencyKeyConflict
from srochno.ledger import repository
from srochno.responses import page


def entry_view(entry: Record) -> dict[str, Any]:
    return dict(entry)


async def recharge(
    conn: Connection, user_id: int, amount: int, method: str, idempotency_key: str | None
) -> dict[str, Any]:
    """Credit ``amount``; with an ``Idempotency-Key`` a retry returns the first credit."""
    await repository.lock_user(conn, user_id)
    entry: Record | None = None
    if idempotency_key is not None:
        entry = await repository.keyed_entry(conn, user_id, idempotency_key)
        if entry is not None and (
            entry["type"] != LedgerType.recharge or entry["amount"] != amount
        ):
            raise IdempotencyKeyConflict()
    if entry is None:
        entry = await repository.change_balance(
            conn,
            user_id,
            amount,
            LedgerType.recharge,
            now=clock.now(),
            method=method,
            idempotency_key=idempotency_key,
        )
        assert entry is not None  # a credit always applies
    return {"balance": entry["balance_after"], "transaction": entry_view(entry)}


async def list_transactions(
    conn: Connection, user_id: int, *, limit: int, offset: int
) -> dict[str, Any]:
    rows, total = await repository.entries_of(conn, user_id, limit, offset)
    return page([entry_view(r) for r in rows], total, limit, offset)
