"""Errors of reviews and complaints."""

from __future__ import annotations

from srochno.errors import AppError


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
