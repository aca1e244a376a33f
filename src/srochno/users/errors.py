from __future__ import annotations

from srochno.errors import AppError


class UserBanned(AppError):
    status = 403
    code = "user_banned"
    message = "This account is banned"


class UserNotFound(AppError):
    status = 404
    code = "user_not_found"
    message = "User not found"
