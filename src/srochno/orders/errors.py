"""Errors of orders, takes and the owner's reactions."""

from __future__ import annotations

from srochno.errors import AppError


class OrderNotFound(AppError):
    status = 404
    code = "order_not_found"
    message = "Order not found"


class NotOwner(AppError):
    status = 403
    code = "not_owner"
    message = "Only the order's owner can do this"


class OwnOrder(AppError):
    status = 403
    code = "own_order"
    message = "You cannot take your own order"


class OrderNotActive(AppError):
    status = 409
    code = "order_not_active"
    message = "The order is not active"


class OrderExpired(AppError):
    status = 409
    code = "order_expired"
    message = "The order has expired"


class OrderFull(AppError):
    status = 409
    code = "order_full"
    message = "Maximum 3 executors reached"

    @classmethod
    def for_cap(cls, cap: int) -> OrderFull:
        return cls(f"Maximum {cap} executors reached")


class InsufficientBalance(AppError):
    status = 402
    code = "insufficient_balance"
    message = "Insufficient balance. Need 2₽"

    @classmethod
    def for_price(cls, price: int) -> InsufficientBalance:
        return cls(f"Insufficient balance. Need {price}₽")


class OrderAlreadyTaken(AppError):
    status = 409
    code = "order_already_taken"
    message = "The order was already taken and can no longer be changed"


class CityLocked(AppError):
    status = 409
    code = "city_locked"
    message = "The city is fixed at creation: executors of that city were already told"


class ContactInDescription(AppError):
    status = 422
    code = "contact_in_description"
    message = (
        "Public texts (description, city, comments) must not contain contacts: "
        "phone numbers, @usernames, e-mails, links or messenger handles"
    )


class NoTakes(AppError):
    status = 409
    code = "no_takes"
    message = "Nobody has taken the order yet"


class ExecutorNotTaker(AppError):
    status = 409
    code = "executor_not_taker"
    message = "This executor did not take the order"


class CompletionWindowClosed(AppError):
    status = 409
    code = "completion_window_closed"
    message = "The order can no longer be completed"


class TooManyActiveOrders(AppError):
    status = 409
    code = "too_many_active_orders"
    message = "Too many active orders: wait until one closes"

    @classmethod
    def for_cap(cls, cap: int) -> TooManyActiveOrders:
        return cls(f"At most {cap} active orders at a time")


class OwnOrderReport(OwnOrder):
    message = "You cannot report your own order"


class AlreadyReported(AppError):
    status = 409
    code = "already_reported"
    message = "You have already reported this order"


class NoPendingReports(AppError):
    status = 409
    code = "no_pending_reports"
    message = "The order has no reports waiting for a decision"
