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
        "to a complaint an admin upheld, or to an order whose reports were confirmed",
        """
        SELECT t.id, o.id AS order_id, o.status FROM takes t JOIN orders o ON o.id = t.order_id
        WHERE t.refunded_at IS NOT NULL
          AND o.status NOT IN ('closed_no_response', 'cancelled')
          AND NOT EXISTS (
              SELECT 1 FROM admin_actions a
              WHERE a.action = 'resolve_complaint' AND a.target_type = 'complaint'
                AND a.details ->> 'refunded_take_id' = t.id::text
          )
          AND NOT EXISTS (
              SELECT 1 FROM admin_actions a
              WHERE o.status = 'deleted' AND a.action = 'confirm_reports'
                AND a.target_type = 'order' AND a.target_id = o.id
                AND (a.details -> 'refunded_takes' @> to_jsonb(t.id)
                     OR a.details ->> 'previous_status' IN ('closed_no_response', 'cancelled'))
          )
        """,
    ),
    Check(
        "exactly one credit per Stars charge, to its payer, for its amount",
        """
        SELECT c.id, c.telegram_payment_charge_id, c.amount_rub,
               count(l.id) AS rows, sum(l.amount) AS credited
        FROM payment_charges c
        LEFT JOIN ledger_entries l
               ON l.payment_charge_id = c.id AND l.type = 'recharge' AND l.user_id = c.user_id
        GROUP BY c.id
        HAVING count(l.id) <> 1 OR sum(l.amount) <> c.amount_rub
        """,
    ),
    Check(
        "Stars ledger rows belong to a charge of their user",
        """
        SELECT l.id, l.user_id, l.type, l.payment_charge_id, c.user_id AS charge_user_id
        FROM ledger_entries l LEFT JOIN payment_charges c ON c.id = l.payment_charge_id
        WHERE (l.payment_charge_id IS NOT NULL AND c.user_id <> l.user_id)
           OR (l.method = 'telegram_stars' AND l.payment_charge_id IS NULL)
        """,
    ),
    Check(
        "refunded charges have their one debit, standing charges none",
        """
        SELECT c.id, c.telegram_payment_charge_id, c.refunded_at, c.refunded_rub,
               count(l.id) AS rows, sum(-l.amount) AS debited
        FROM payment_charges c
        LEFT JOIN ledger_entries l ON l.payment_charge_id = c.id AND l.type = 'payment_refund'
        GROUP BY c.id
        HAVING (c.refunded_at IS NULL AND count(l.id) <> 0)
            OR (c.refunded_at IS NOT NULL
                AND (count(l.id) <> 1 OR sum(-l.amount) <> c.refunded_rub))
        """,
    ),
    Check(
        "a payment's status follows its charges, all of its payer",
        """
        SELECT p.id, p.status, count(c.id) AS charges,
               count(c.id) FILTER (WHERE c.refunded_at IS NULL) AS standing,
               count(c.id) FILTER (WHERE c.user_id <> p.user_id) AS foreign_charges
        FROM payments p LEFT JOIN payment_charges c ON c.payment_id = p.id
        GROUP BY p.id
        HAVING count(c.id) FILTER (WHERE c.user_id <> p.user_id) <> 0
            OR (p.status = 'pending' AND count(c.id) <> 0)
            OR (p.status = 'paid' AND count(c.id) FILTER (WHERE c.refunded_at IS NULL) = 0)
            OR (p.status = 'refunded'
                AND (count(c.id) = 0 OR count(c.id) FILTER (WHERE c.refunded_at IS NULL) <> 0))
        """,
    ),
    Check(
        "exactly one credit per paid or refunded top-up, to its user, for its amount; "
        "none for any other",
        """
        SELECT t.id, t.status, t.amount_rub, count(l.id) AS rows, sum(l.amount) AS credited
        FROM topups t
        LEFT JOIN ledger_entries l
               ON l.topup_id = t.id AND l.type = 'recharge' AND l.user_id = t.user_id
        GROUP BY t.id
        HAVING (t.status IN ('paid', 'refunded')
                AND (count(l.id) <> 1 OR sum(l.amount) <> t.amount_rub))
            OR (t.status NOT IN ('paid', 'refunded') AND count(l.id) <> 0)
        """,
    ),
    Check(
        "refunded top-ups have their one debit of the credit, others none",
        """
        SELECT t.id, t.status, t.amount_rub, count(l.id) AS rows, sum(-l.amount) AS debited
        FROM topups t
        LEFT JOIN ledger_entries l ON l.topup_id = t.id AND l.type = 'payment_refund'
        GROUP BY t.id
        HAVING (t.status = 'refunded' AND (count(l.id) <> 1 OR sum(-l.amount) <> t.amount_rub))
            OR (t.status <> 'refunded' AND count(l.id) <> 0)
        """,
    ),
    Check(
        "top-up ledger rows belong to a top-up of their user",
        """
        SELECT l.id, l.user_id, l.type, l.topup_id, t.user_id AS topup_user_id
        FROM ledger_entries l LEFT JOIN topups t ON t.id = l.topup_id
        WHERE (l.topup_id IS NOT NULL AND t.user_id <> l.user_id)
           OR (l.method = 'yookassa' AND l.topup_id IS NULL)
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
