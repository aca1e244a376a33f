"""The ledger's SQL, the only writer of ``ledger_entries`` (with the refund flow in
:mod:`srochno.ledger.refunds`): a balance and its ledger row always change in one round
trip."""

from __future__ import annotations

from datetime import datetime

from srochno.db import Connection, Record
from srochno.enums import LedgerType

ENTRY_COLUMNS = "id, type, amount, balance_after, order_id, take_id, method, created_at"

# The balance changes under the user's row lock, only if it stays >= 0, and the ledger
# row carries the balance after it: balance == sum(amount), balance_after the running sum.
CHANGE_BALANCE = f"""
WITH changed AS (
    UPDATE users SET balance = balance + $2 WHERE id = $1 AND balance + $2 >= 0
    RETURNING balance
)
INSERT INTO ledger_entries (user_id, type, amount, balance_after, order_id, take_id, method,
                            idempotency_key, created_at, payment_charge_id, topup_id)
SELECT $1, $3, $2, changed.balance, $4, $5, $6, $7, $8, $9, $10 FROM changed
RETURNING {ENTRY_COLUMNS}
"""
# The take's debit (statement 2 of a take, srochno.orders.take): the take row, the debit
# (only if the take row is new and the balance covers the price), its ledger row and the
# order's counter, in one round trip (the hot path's cost is its round trips).
# The user's row lock is taken after the order's (statement 1): one fixed order.
# take_id NULL: this executor's take of the order already exists (a concurrent retry).
# balance NULL with a take_id: the balance does not cover the price (roll back).
WRITE_TAKE = f"""
WITH new_take AS (
    INSERT INTO takes (order_id, executor_id, price_paid, taken_at, idempotency_key)
    VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (order_id, executor_id) DO NOTHING
    RETURNING id
), debit AS (
    UPDATE users SET balance = balance - $3
    WHERE id = $2 AND balance >= $3 AND EXISTS (SELECT 1 FROM new_take)
    RETURNING balance
), entry AS (
    INSERT INTO ledger_entries (user_id, type, amount, balance_after, order_id, take_id,
                                created_at)
    SELECT $2, '{LedgerType.order_take.value}', -$3, debit.balance, $1, new_take.id, $4
    FROM new_take, debit
), counted AS (
    UPDATE orders SET executors_count = executors_count + 1,
                      first_taken_at = coalesce(first_taken_at, $4)
    FROM new_take, debit
    WHERE orders.id = $1
)
SELECT (SELECT id FROM new_take) AS take_id, (SELECT balance FROM debit) AS balance
"""
LOCK_USER = "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE"
KEYED_ENTRY = (
    f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE user_id = $1 AND idempotency_key = $2"
)
COUNT_ENTRIES = "SELECT count(*) FROM ledger_entries WHERE user_id = $1"
LIST_ENTRIES = (
    f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE user_id = $1 "
    "ORDER BY id DESC LIMIT $2 OFFSET $3"
)


async def change_balance(
    conn: Connection,
    user_id: int,
    amount: int,
    entry_type: str,
    *,
    now: datetime,
    order_id: str | None = None,
    take_id: int | None = None,
    method: str | None = None,
    idempotency_key: str | None = None,
    payment_charge_id: int | None = None,
    topup_id: str | None = None,
) -> Record | None:
    """Add ``amount`` (negative for a debit) and write its ledger row; None, changing
    nothing, when a debit is larger than the balance."""
    return await conn.fetchrow(
        CHANGE_BALANCE,
        user_id,
        amount,
        entry_type,
        order_id,
        take_id,
        method,
        idempotency_key,
        now,
        payment_charge_id,
        topup_id,
    )


async def lock_user(conn: Connection, user_id: int) -> None:
    await conn.execute(LOCK_USER, user_id)


async def keyed_entry(conn: Connection, user_id: int, key: str) -> Record | None:
    return await conn.fetchrow(KEYED_ENTRY, user_id, key)


async def entries_of(
    conn: Connection, user_id: int, limit: int, offset: int
) -> tuple[list[Record], int]:
    total: int = await conn.fetchval(COUNT_ENTRIES, user_id)
    return await conn.fetch(LIST_ENTRIES, user_id, limit, offset), total


async def write_take(
    conn: Connection,
    order_id: str,
    executor_id: int,
    price: int,
    now: datetime,
    idempotency_key: str | None,
) -> Record:
    row = await conn.fetchrow(WRITE_TAKE, order_id, executor_id, price, now, idempotency_key)
    assert row is not None
    return row
