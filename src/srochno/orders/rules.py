"""Pure rules of an order's life: what status it is in at a given moment. The no-response
rule is also written here once as SQL, for the statements that must
apply it inside PostgreSQL (the public list, the auto-close job)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from srochno.enums import OPEN_STATUSES, OrderStatus, sql_list

__all__ = [
    "OPEN_STATUSES",
    "Timing",
    "effective_status",
    "no_response_due_sql",
    "timing",
]


@dataclass(frozen=True, slots=True)
class Timing:
    seconds_left: int
    minutes_left: int


def no_response_due_sql(deadline: str, table: str = "orders", *, open_: bool = False) -> str:
    """SQL that is true for an order of ``table`` whose no-response deadline has passed:
    taken, never answered, still open, and first taken at or before ``deadline`` (an SQL
    parameter holding ``now - NO_RESPONSE_MINUTES``). ``open_``: the caller's condition
    keeps only open orders already (so an index without the status answers it alone)."""
    status = "" if open_ else f"{table}.status IN ({sql_list(tuple(sorted(OPEN_STATUSES)))}) AND "
    return (
        f"({status}"
        f"{table}.responded_at IS NULL AND {table}.first_taken_at IS NOT NULL "
        f"AND {table}.first_taken_at <= {deadline})"
    )


def effective_status(
    status: str,
    *,
    expires_at: datetime,
    first_taken_at: datetime | None,
    responded_at: datetime | None,
    now: datetime,
    no_response_timeout: timedelta,
) -> str:
    """The status an order has at ``now``, whether or not the background job has run.

    A taken order nobody answered is ``closed_no_response`` from the moment its deadline
    passes (:func:`no_response_due_sql` in SQL); an active order past ``expires_at`` is
    ``expired`` at once.
    """
    if (
        status in OPEN_STATUSES
        and first_taken_at is not None
        and responded_at is None
        and now >= first_taken_at + no_response_timeout
    ):
        return OrderStatus.closed_no_response
    if status == OrderStatus.active and now >= expires_at:
        return OrderStatus.expired
    return status


def timing(expires_at: datetime, now: datetime) -> Timing:
    """Time left until expiry; minutes are rounded up (30 s left reads as 1 minute)."""
    seconds = max(0, math.ceil((expires_at - now).total_seconds()))
    return Timing(seconds_left=seconds, minutes_left=math.ceil(seconds / 60))
