"""``srochno payments reconcile --provider yookassa``: YooKassa's payments against our
top-ups.

Every payment of the shop is paged through (``GET /payments``, by cursor); those whose
metadata names a top-up of ours are compared with it. A succeeded payment whose top-up
is still open here is credited with ``--apply`` (as its notification would have been);
everything else is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from srochno import clock
from srochno.db import Database
from srochno.enums import TopupStatus
from srochno.payments import topup_repository as repository
from srochno.payments import yookassa
from srochno.payments.topups import Outcome, settle
from srochno.payments.yookassa import YooKassaClient


@dataclass
class TopupReport:
    yookassa_payments: int = 0
    our_topups: int = 0
    missing_here: list[str] = field(default_factory=list)
    """Succeeded at YooKassa, still open here (credited with ``--apply``): top-up ids."""
    missing_at_yookassa: list[str] = field(default_factory=list)
    """Paid here, with no succeeded payment at YooKassa."""
    mismatched: list[str] = field(default_factory=list)
    """Succeeded at YooKassa for another amount or user than the top-up's, or for a top-up
    canceled here."""
    refunded_at_yookassa_only: list[str] = field(default_factory=list)
    refunded_here_only: list[str] = field(default_factory=list)
    credited: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (
            set(self.missing_here) - set(self.credited)
            or self.missing_at_yookassa
            or self.mismatched
            or self.refunded_at_yookassa_only
            or self.refunded_here_only
        )


async def reconcile_topups(db: Database, client: YooKassaClient, *, apply: bool) -> TopupReport:
    report = TopupReport()
    theirs: dict[str, dict[str, Any]] = {}
    async for payment in client.payments():
        report.yookassa_payments += 1
        topup_id, _ = yookassa.metadata_of(payment)
        if topup_id is not None and payment.get("status") == yookassa.SUCCEEDED:
            theirs[topup_id] = payment
    async with db.connection() as conn:
        ours = {row["id"]: row for row in await repository.states(conn)}
    report.our_topups = len(ours)
    for topup_id, payment in sorted(theirs.items()):
        topup = ours.get(topup_id)
        if topup is None:
            continue  # another shop's integration, or a top-up we never wrote
        refunded_there = yookassa.refunded_rubles(payment) > 0
        if topup["status"] in repository.OPEN_STATUSES:
            if yookassa.pays_topup(payment, topup) is None:
                report.missing_here.append(topup_id)
            else:
                report.mismatched.append(topup_id)
        elif topup["status"] == TopupStatus.canceled:
            report.mismatched.append(topup_id)  # canceled here, money taken there
        elif topup["status"] == TopupStatus.paid and refunded_there:
            report.refunded_at_yookassa_only.append(topup_id)
        elif topup["status"] == TopupStatus.refunded and not refunded_there:
            report.refunded_here_only.append(topup_id)
    report.missing_at_yookassa = sorted(
        topup_id
        for topup_id, topup in ours.items()
        if topup["status"] in (TopupStatus.paid, TopupStatus.refunded) and topup_id not in theirs
    )
    if apply:
        for topup_id in report.missing_here:
            async with db.transaction() as conn:
                if await settle(conn, theirs[topup_id], clock.now()) is Outcome.credited:
                    report.credited.append(topup_id)
    return report
