"""The moderation queue's decisions on reported orders, each an operator's action with its
audit row, in one transaction under the order's row lock.

* Confirm: every pending report of the order is confirmed; the order is closed (status
  ``deleted``: nobody but its owner sees it any more); if it was still open its takers get
  their price back through the one refund step (:func:`~srochno.ledger.refunds.refund_takes`,
  as a cancel does); the client gets a strike, and ``STRIKES_TO_BAN`` strikes ban them
  (:func:`~srochno.users.moderation.give_strike`). A moderator may confirm: the refunds
  follow the rule (each taker's price, once), no amount is chosen, as for a cancel.
* Dismiss: the pending reports are dismissed; nothing else changes.

A decision applies to the reports pending when it runs; the second of two operators
deciding at once waits for the order's lock, then finds nothing pending
(``no_pending_reports``): one strike, one refund per take, one audit row. Locks in the
fixed order: the order row, then the users (takers and the client) in id order.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from srochno import clock
from srochno.contacts import find_contact, find_in_fields
from srochno.db import Connection, Record
from srochno.enums import OPEN_STATUSES, AdminActionType, RefundReason, ReportStatus
from srochno.ledger.refunds import refund_takes
from srochno.orders import repository
from srochno.orders.errors import NoPendingReports, OrderNotFound
from srochno.staff.service import Operator, clean_reason, record_action
from srochno.users.moderation import give_strike


async def _lock_and_decide(
    conn: Connection, operator: Operator, order_id: str, status: ReportStatus, now: datetime
) -> tuple[Record, list[Record]]:
    order = await repository.lock_order(conn, order_id)
    if order is None:
        raise OrderNotFound()
    reports = await repository.decide_reports(conn, order_id, status, now, operator.id)
    if not reports:
        raise NoPendingReports()
    return order, reports


async def confirm_reports(
    conn: Connection, operator: Operator, order_id: str, reason: str, *, strikes_to_ban: int
) -> dict[str, Any]:
    """Confirm the order's pending reports: close it, refund its takers if it was open,
    give its client a strike (and the ban at ``strikes_to_ban``)."""
    reason = clean_reason(reason)
    now = clock.now()
    order, reports = await _lock_and_decide(conn, operator, order_id, ReportStatus.confirmed, now)
    client_id: int = order["owner_id"]
    await repository.close_reported_order(conn, order_id, now)
    takes: list[Record] = []
    refunded = 0
    if order["status"] in OPEN_STATUSES:
        refunds = await refund_takes(
            conn, RefundReason.report_confirmed, [order_id], now, lock_also=[client_id]
        )
        takes, refunded = refunds.takes, refunds.amount
    await record_action(
        conn,
        operator,
        AdminActionType.confirm_reports,
        "order",
        order_id,
        reason,
        reports=sorted(r["id"] for r in reports),
        client_id=client_id,
        previous_status=order["status"],
        refunded_takes=sorted(t["id"] for t in takes),
        refunded_rub=refunded,
    )
    strike = await give_strike(conn, operator, client_id, reason, strikes_to_ban)
    return {
        "order_id": order_id,
        "reports": len(reports),
        "refunds": len(takes),
        "refunded": refunded,
        **strike,
    }


async def dismiss_reports(
    conn: Connection, operator: Operator, order_id: str, note: str
) -> dict[str, Any]:
    """Dismiss the order's pending reports: no strike, the order stays as it is."""
    note = clean_reason(note)
    _, reports = await _lock_and_decide(
        conn, operator, order_id, ReportStatus.dismissed, clock.now()
    )
    report_ids = sorted(r["id"] for r in reports)
    await record_action(
        conn, operator, AdminActionType.dismiss_reports, "order", order_id, note, reports=report_ids
    )
    return {"order_id": order_id, "reports": len(reports)}


# --- what the queue shows ------------------------------------------------------------------


@dataclass
class PendingReports:
    """An order's reports waiting for a decision."""

    count: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    comments: list[str] = field(default_factory=list)

    def reasons_text(self) -> str:
        """``contact_in_text ×2, fake ×1``, the most frequent first; ``none``."""
        if not self.count:
            return "none"
        return ", ".join(f"{reason} ×{n}" for reason, n in self.reasons.most_common())


async def pending_reports(conn: Connection, order_ids: list[str]) -> dict[str, PendingReports]:
    """The pending reports of these orders (a page of the queue), by order id."""
    found: dict[str, PendingReports] = {order_id: PendingReports() for order_id in order_ids}
    for row in await repository.pending_reports(conn, order_ids):
        summary = found[row["order_id"]]
        summary.count += 1
        summary.reasons[row["reason"]] += 1
        if row["comment"]:
            summary.comments.append(f"{row['reason']}: {row['comment']}")
    return found


def detector_findings(description: str, city: str) -> str:
    """What the contact detector finds in the order's public texts, one by one and
    together, with the span: ``description: phone at 12–27; city: link at 0–9``,
    ``description (with city): phone at 0–7``, or ``none``."""
    texts: dict[str, str | None] = {"city": city, "description": description}
    found = []
    for name, text in texts.items():
        finding = find_contact(text or "")
        if finding is not None:
            found.append(f"{name}: {finding.kind} at {finding.start}–{finding.end}")
    if not found:
        together = find_in_fields(texts)
        if together is not None:
            found.append(
                f"{together.field} (with city): {together.kind} at {together.start}–{together.end}"
            )
    return "; ".join(found) or "none"
