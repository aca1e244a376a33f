"""``srochno audit``: check every money invariant on a live database."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

SAMPLE = 20


@dataclass(frozen=True)
class Check:
    name: str
    sql: str


CHECKS: tuple[Check, ...] = (
    Check("balance >= 0", "SELECT id, balance FROM users WHERE balance < 0"),
    Check(
        "balance == sum of the user's ledger rows",
        """
        SELECT u.id, u.balance, COALESCE(l.total, 0) AS ledger_total
        FROM users u
        LEFT JOIN (SELECT user_id, sum(amount) AS total FROM ledger_entries GROUP BY user_id) l
               ON l.user_id = u.id
        WHERE u.balance <> COALESCE(l.total, 0)
        """,
    ),
    Check(
        "each balance_after is the running sum",
        """
        SELECT id, user_id, balance_after, running FROM (
            SELECT id, user_id, balance_after,
                   sum(amount) OVER (PARTITION BY user_id ORDER BY id) AS running
            FROM ledger_entries
        ) t WHERE balance_after <> running
        """,
    ),
    Check(
        "at most max_executors takes per order, and executors_count matches",
        """
        SELECT o.id, o.max_executors, o.executors_count, count(t.id) AS takes
        FROM orders o LEFT JOIN takes t ON t.order_id = o.id
        GROUP BY o.id
        HAVING count(t.id) > o.max_executors OR count(t.id) <> o.executors_count
        """,
    ),
    Check(
        "takes per order within MAX_EXECUTORS_PER_ORDER",
        """
        SELECT order_id, count(*) AS takes FROM takes
        GROUP BY order_id HAVING count(*) > :max_executors
        """,
    ),
    Check(
        "exactly one order_take row per take, for the price paid",
        """
        SELECT t.id, t.price_paid, count(l.id) AS rows, sum(-l.amount) AS charged
        FROM takes t
        LEFT JOIN ledger_entries l ON l.take_id = t.id AND l.type = 'order_take'
        GROUP BY t.id
        HAVING count(l.id) <> 1 OR sum(-l.amount) <> t.price_paid
        """,
    ),
    Check(
        "refunds: one per refunded take, none for others, equal to the price",
        """
        SELECT t.id, t.refunded_at, count(l.id) AS rows, sum(l.amount) AS refunded
        FROM takes t
        LEFT JOIN ledger_entries l ON l.take_id = t.id AND l.type = 'refund'
        GROUP BY t.id
        HAVING count(l.id) > 1
            OR (count(l.id) = 1 AND (t.refunded_at IS NULL OR sum(l.amount) <> t.price_paid))
            OR (count(l.id) = 0 AND t.refunded_at IS NOT NULL AND t.price_paid > 0)
        """,
    ),
    Check(
        "refunded takes belong to orders closed for no response or cancelled, "
        "or to a complaint an admin upheld",
        """
        SELECT t.id, o.id AS order_id, o.status FROM takes t JOIN orders o ON o.id = t.order_id
        WHERE t.refunded_at IS NOT NULL
          AND o.status NOT IN ('closed_no_response', 'cancelled')
          AND NOT EXISTS (
              SELECT 1 FROM admin_actions a
              WHERE a.action = 'resolve_complaint' AND a.target_type = 'complaint'
                AND a.details ->> 'refunded_take_id' = t.id::text
          )
        """,
    ),
)


@dataclass
class AuditResult:
    checked: list[str] = field(default_factory=list)
    violations: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations


async def audit(connection: AsyncConnection, max_executors: int) -> AuditResult:
    """Run every check in one REPEATABLE READ snapshot, so a busy database audits cleanly."""
    result = AuditResult()
    await connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    for check in CHECKS:
        rows = (await connection.execute(text(check.sql), {"max_executors": max_executors})).all()
        result.checked.append(check.name)
        if rows:
            result.violations[check.name] = [dict(row._mapping) for row in rows[:SAMPLE]]
    return result
