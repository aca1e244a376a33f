"""The quota of active orders per client (``MAX_ACTIVE_ORDERS_PER_CLIENT``).

Counted under the client's user row lock (``FOR NO KEY UPDATE``, held to the end of the
order's transaction): concurrent creates of one client queue on it, so each counts the
orders the previous ones committed and the cap cannot be passed by a race. The count is a
statement of its own, after the lock: under READ COMMITTED a statement reads from the
snapshot taken when it began, so a count in the locking statement itself would miss the
orders committed while it waited for the lock. The lock is
the user row's, taken before the order is inserted; a take locks an order row and then
its executor's row, and a create locks no order row first, so they cannot deadlock.
"""

from __future__ import annotations

from datetime import datetime

from srochno.config import Settings
from srochno.db import Connection
from srochno.enums import OrderStatus
from srochno.orders.errors import TooManyActiveOrders
from srochno.orders.rules import no_response_due_sql

LOCK_CLIENT = "SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE"
# $1 the client, $2 now, $3 the no-response deadline: orders the feed would still list.
COUNT_ACTIVE = f"""
SELECT count(*) FROM orders
WHERE owner_id = $1 AND status = '{OrderStatus.active.value}' AND expires_at > $2
  AND NOT {no_response_due_sql("$3")}
"""


async def ensure_below_quota(
    conn: Connection, settings: Settings, owner_id: int, now: datetime
) -> None:
    """Refuse a new order with 409 ``too_many_active_orders`` at the cap."""
    cap = settings.max_active_orders_per_client
    deadline = now - settings.no_response_timeout
    await conn.execute(LOCK_CLIENT, owner_id)
    active: int = await conn.fetchval(COUNT_ACTIVE, owner_id, now, deadline)
    if active >= cap:
        raise TooManyActiveOrders.for_cap(cap)
