from __future__ import annotations

from srochno.errors import AppError


class UserBanned(AppError):
    status = 403
    code = "user_banned"
    message = "This account is banned"


class WorkAreaRequired(AppError):
    status = 409
    code = "work_area_required"
    message = "Set a work area (preferences: area) before going on duty"


class UserNotFound(AppError):
    status = 404
    code = "user_not_found"
    message = "User not found"


class UserAlreadyBanned(AppError):
    status = 409
    code = "user_already_banned"
    message = "This user is already banned"


class UserNotBanned(AppError):
    status = 409
    code = "user_not_banned"
    message = "This user is not banned"


class TelegramOnly(AppError):
    status = 409
    code = "telegram_only"
    message = "Only an account signed in through Telegram can do this (Stars, the bot's messages)"
