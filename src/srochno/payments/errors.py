"""Errors of Stars payments."""

from __future__ import annotations

from srochno.errors import AppError


class PaymentNotFound(AppError):
    status = 404
    code = "payment_not_found"
    message = "Payment not found"


class StarsOutOfRange(AppError):
    status = 422
    code = "stars_out_of_range"
    message = "The number of stars is outside the allowed range"


class PaymentProviderError(AppError):
    status = 502
    code = "payment_provider_error"
    message = "Telegram could not create the invoice, try again shortly"
