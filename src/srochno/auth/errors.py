"""Errors of authentication by Telegram initData."""

from __future__ import annotations

from typing import ClassVar

from srochno.errors import AppError, DatabaseUnavailable, ValidationFailed
from srochno.users.errors import UserBanned


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"
    message = "Authentication required"
    headers: ClassVar[dict[str, str] | None] = {
        "WWW-Authenticate": 'tma realm="srochno", Bearer realm="srochno"'
    }


class AuthMissing(Unauthorized):
    code = "auth_missing"
    message = "Authorization header with the 'tma' or 'Bearer' scheme is required"


class SessionExpired(Unauthorized):
    code = "session_expired"
    message = "The sign-in by e-mail has ended or expired: sign in again"


class InitDataMalformed(Unauthorized):
    code = "init_data_malformed"
    message = "Init data is malformed"


class InitDataInvalid(Unauthorized):
    code = "init_data_invalid"
    message = "Invalid hash - data integrity check failed"


class InitDataExpired(Unauthorized):
    code = "init_data_expired"
    message = "Init data has expired"


class InitDataNoUser(Unauthorized):
    code = "init_data_no_user"
    message = "Init data carries no user"


class InitDataUnencodable(ValidationFailed):
    message = "Init data user fields must be valid Unicode text"


AUTH_ERRORS: tuple[type[AppError], ...] = (
    AuthMissing,
    SessionExpired,
    InitDataMalformed,
    InitDataInvalid,
    InitDataExpired,
    InitDataNoUser,
    InitDataUnencodable,
    UserBanned,
    DatabaseUnavailable,
)
"""What any authenticated endpoint can answer (it reads the user from the database)."""


class SignInLinkInvalid(AppError):
    """No live link has this token (never was, used, or expired): 404, as for any unknown
    resource."""

    status = 404
    code = "sign_in_link_invalid"
    message = "The sign-in link is unknown, used already or expired: ask for a new one"


class CsrfHeaderMissing(AppError):
    status = 403
    code = "csrf_header_missing"
    message = "A write authenticated by the session cookie must carry X-Srochno-CSRF: 1"


class EmailTaken(AppError):
    """Another account has this address (a web account signed in with it, or another
    Telegram account confirmed it first)."""

    status = 409
    code = "email_taken"
    message = "This address belongs to another account"
