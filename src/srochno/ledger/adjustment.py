"""Adjusting a balance by hand: an admin's action (a moderator cannot move money).

One statement changes the balance and writes its ``adjustment`` ledger row together
(never below zero), in the same transaction as the audit row with the reason.
"""

from __future__ import annotations

from typing import Any

from srochno import clock
from srochno.db import Connection
from srochno.enums import AdminActionType, LedgerType
from srochno.ledger.errors import BalanceWouldGoNegative, InvalidAdjustment
from srochno.ledger.repository import change_balance
from srochno.staff.service import Operator, clean_reason, record_action, require_admin
from srochno.users.errors import UserNotFound
from srochno.users.repository import find_user

MAX_ADJUSTMENT = 1_000_000_000
ADJUSTMENT_METHOD = "admin"


async def adjust_balance(
    conn: Connection, operator: Operator, user_id: int, amount: int, reason: str
) -> dict[str, Any]:
    require_admin(operator)
    reason = clean_reason(reason)
    if amount == 0 or abs(amount) > MAX_ADJUSTMENT:
        raise InvalidAdjustment()
    if await find_user(conn, user_id) is None:
        raise UserNotFound()
    entry = await change_balance(
        conn,
        user_id,
        amount,
        LedgerType.adjustment,
        now=clock.now(),
        method=ADJUSTMENT_METHOD,
    )
    if entry is None:
        raise BalanceWouldGoNegative()
    await record_action(
        conn,
        operator,
        AdminActionType.adjust_balance,
        "user",
        user_id,
        reason,
        amount=amount,
        balance_after=entry["balance_after"],
        ledger_entry_id=entry["id"],
    )
    return dict(entry)
