"""Errors of reviews and complaints."""

from __future__ import annotations

from srochno.errors import AppError, on_violation


class ReviewWindowClosed(AppError):
    status = 409
    code = "review_window_closed"
    message = "The review window of this order has closed"


class AlreadyReviewed(AppError):
    status = 409
    code = "already_reviewed"
    message = "You have already reviewed this executor for this order"


class AlreadyComplained(AppError):
    status = 409
    code = "already_complained"
    message = "You have already complained about this order"


class NotATaker(AppError):
    status = 403
    code = "not_a_taker"
    message = "Only an executor who took the order can complain"


class ReviewNotFound(AppError):
    status = 404
    code = "review_not_found"
    message = "Review not found"


class ReviewAlreadyHidden(AppError):
    status = 409
    code = "review_already_hidden"
    message = "This review is already hidden"


class ReviewNotHidden(AppError):
    status = 409
    code = "review_not_hidden"
    message = "This review is not hidden"


class ComplaintNotFound(AppError):
    status = 404
    code = "complaint_not_found"
    message = "Complaint not found"


class ComplaintAlreadyResolved(AppError):
    status = 409
    code = "complaint_already_resolved"
    message = "This complaint is already resolved"


class TakeAlreadyRefunded(AppError):
    status = 409
    code = "take_already_refunded"
    message = "The complainant's take was already refunded"


on_violation("uq_reviews_order_id_author_id_executor_id", AlreadyReviewed)
on_violation("uq_complaints_order_id_author_id", AlreadyComplained)
