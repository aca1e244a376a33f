"""Reporting an order: an executor tells the moderators that its public text carries a
contact, or that it is fake.

A report changes nothing anybody sees: it waits in the moderation queue until a moderator
confirms or dismisses it (:mod:`srochno.orders.moderation`). Once per (order, user), by a
unique constraint; anybody signed in but the order's owner may report any order they can
see (closed ones too: their text is still shown), a deleted one being 404 to them.
"""

from __future__ import annotations

from typing import Any

from srochno import clock
from srochno.db import Connection
from srochno.orders import repository
from srochno.orders.errors import OwnOrderReport
from srochno.orders.guards import visible
from srochno.orders.schemas import ReportIn


async def report_order(
    conn: Connection, reporter_id: int, order_id: str, data: ReportIn
) -> dict[str, Any]:
    """Record the report (``already_reported`` the second time, by the unique
    constraint). The order is share-locked, so a moderator's decision on it is either
    seen here (a deleted order is 404) or waits for this report and decides it too."""
    order = visible(await repository.lock_order_for_report(conn, order_id), reporter_id)
    if order["owner_id"] == reporter_id:
        raise OwnOrderReport()
    # uq_order_reports_order_id_reporter_id → already_reported
    report = await repository.insert_report(
        conn, order_id, reporter_id, data.reason, data.comment or None, clock.now()
    )
    return dict(report)
