"""Errors of the balance and its ledger."""

from __future__ import annotations

from srochno.errors import AppError


class DevRechargeDisabled(AppError):
    status = 403
    code = "dev_recharge_disabled"
    message = "Recharge without payment is available only in development"
