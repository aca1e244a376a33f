"""Errors of Stars payments."""

from __future__ import annotations

from srochno.errors import AppError, IdempotencyKeyConflict, on_violation


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


class RefundRefused(AppError):
    """A refund that was not made; Telegram was not called."""

    status = 409
    code = "refund_refused"
    message = "The refund was refused"


class ChargeNotFound(RefundRefused):
    status = 404
    code = "charge_not_found"
    message = "No such Stars charge is recorded"


class ChargeAlreadyRefunded(RefundRefused):
    code = "charge_already_refunded"
    message = "This Stars charge is already refunded"


class RefundExceedsBalance(RefundRefused):
    code = "refund_exceeds_balance"
    message = "The balance no longer covers the credit of this charge"


class RefundFailed(AppError):
    """Telegram refused or failed the refund; nothing was recorded."""

    status = 502
    code = "refund_failed"
    message = "Telegram did not make the refund; nothing was changed"


class TopupsNotConfigured(AppError):
    status = 503
    code = "topups_not_configured"
    message = "Ruble top-ups are not configured (YOOKASSA_SHOP_ID, YOOKASSA_SECRET_KEY)"


class TopupNotFound(AppError):
    status = 404
    code = "topup_not_found"
    message = "Top-up not found"


class TopupOutOfRange(AppError):
    status = 422
    code = "topup_out_of_range"
    message = "The amount is outside the allowed range"


class ReceiptEmailRequired(AppError):
    status = 422
    code = "receipt_email_required"
    message = "An e-mail for the receipt is needed once"


class YooKassaUnavailable(PaymentProviderError):
    message = "YooKassa could not create the payment, try again shortly"


class NotificationForbidden(AppError):
    status = 403
    code = "notification_forbidden"
    message = "Notifications are accepted only from YooKassa's networks"


class InvalidNotification(AppError):
    status = 400
    code = "invalid_notification"
    message = "The body is not a YooKassa notification"


class TopupNotRefundable(RefundRefused):
    code = "topup_not_refundable"
    message = "Only a paid top-up can be refunded"


class TopupRefundExceedsBalance(RefundRefused):
    code = "refund_exceeds_balance"
    message = "The balance no longer covers this top-up"


class TopupRefundFailed(RefundFailed):
    message = "YooKassa did not make the refund; nothing was changed"


on_violation("uq_payments_user_id_idempotency_key", IdempotencyKeyConflict)
