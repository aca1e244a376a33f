"""Errors of orders, takes and the owner's reactions."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from srochno.contacts import FieldFinding
from srochno.errors import AppError, ErrorResponse, IdempotencyKeyConflict, on_violation

ContactKind = Literal["phone", "handle", "link", "email", "long_number"]
_KIND_NAMES = {
    "phone": "a phone number",
    "handle": "a messenger or social-network handle",
    "link": "a link",
    "email": "an e-mail address",
    "long_number": "a number of 10 or more digits, which reads as a phone number",
}
_EXCERPT_LIMIT = 60


class ContactErrorResponse(ErrorResponse):
    """A public text carries a contact: where (``field``, ``start``, ``end``) and what."""

    field: str = Field(description="The request field: description, city, comment, …")
    start: int = Field(description="Offset of the span's first character (code points)")
    end: int = Field(description="Offset after its last character, in the trimmed text")
    kind: ContactKind


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
    model = ContactErrorResponse

    @classmethod
    def at(cls, found: FieldFinding, text: str) -> ContactInDescription:
        """The refusal of ``text`` (the trimmed value of ``found.field``), naming the span."""
        excerpt = text[found.start : found.end]
        if len(excerpt) > _EXCERPT_LIMIT:
            excerpt = excerpt[: _EXCERPT_LIMIT - 1] + "…"
        detail = (
            f"The {found.field} contains {_KIND_NAMES[found.kind]} at characters "
            f"{found.start}-{found.end}: «{excerpt}»"
        )
        if found.together_with is not None:
            detail += f" (read together with the {found.together_with})"
        if found.kind == "long_number":
            detail += (
                ". Say what the number is (contract, order, account, article, VIN, IMEI) "
                "right before it, or leave it out"
            )
        detail += ". Contacts are given in the contact field and sold to executors."
        error = cls(detail)
        error.extra = {
            "field": found.field,
            "start": found.start,
            "end": found.end,
            "kind": found.kind,
        }
        return error

    @classmethod
    def example(cls) -> dict[str, Any]:
        return {
            "detail": "The description contains a phone number at characters 8-24: "
            "«+7 999 123-45-67». Contacts are given in the contact field and sold to "
            "executors.",
            "code": cls.code,
            "field": "description",
            "start": 8,
            "end": 24,
            "kind": "phone",
        }


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


on_violation("uq_takes_executor_id_idempotency_key", IdempotencyKeyConflict)
on_violation("uq_order_reports_order_id_reporter_id", AlreadyReported)


class InvalidNear(AppError):
    status = 422
    code = "invalid_near"
    message = (
        "near must be <lat>,<lon> in degrees (latitude -90..90, longitude -180..180), and "
        "radius_km above 0 and at most GEO_MAX_RADIUS_KM, given only with near"
    )


class InvalidCursor(AppError):
    status = 422
    code = "invalid_cursor"
    message = "cursor must be the next_cursor of a previous page of the same near feed"
