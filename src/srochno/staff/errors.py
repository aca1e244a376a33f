"""Errors of the operators' accounts and actions."""

from __future__ import annotations

from srochno.errors import AppError


class AdminRightsRequired(AppError):
    status = 403
    code = "admin_rights_required"
    message = "Only an admin can move money"


class ReasonRequired(AppError):
    status = 422
    code = "reason_required"
    message = "Give a reason (up to 1000 characters)"


class AdminNameTaken(AppError):
    status = 409
    code = "admin_name_taken"
    message = "An operator with this name already exists"


class InvalidAdminAccount(AppError):
    status = 422
    code = "invalid_admin_account"
    message = "A name is 1-64 letters, digits, '.', '_' or '-'; a password at least 8 characters"


class LoginFailed(AppError):
    status = 401
    code = "login_failed"
    message = "Wrong name or password"


class LoginRateLimited(AppError):
    status = 429
    code = "login_rate_limited"
    message = "Too many sign-in attempts, try again later"


class OperatorNotFound(AppError):
    status = 404
    code = "operator_not_found"
    message = "No operator has this name"
