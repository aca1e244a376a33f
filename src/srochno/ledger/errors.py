"""Errors of the balance and its ledger."""

from __future__ import annotations

from srochno.errors import AppError, IdempotencyKeyConflict, on_violation


class DevRechargeDisabled(AppError):
    status = 403
    code = "dev_recharge_disabled"
    message = "Recharge without payment is available only in development"


class BalanceWouldGoNegative(AppError):
    status = 409
    code = "balance_would_go_negative"
    message = "The adjustment would take the balance below zero"


class InvalidAdjustment(AppError):
    status = 422
    code = "invalid_adjustment"
    message = "An adjustment is a non-zero whole number of rubles, at most 1 000 000 000"


on_violation("uq_ledger_entries_user_id_idempotency_key", IdempotencyKeyConflict)
