"""Typed application errors and the one place that turns them into HTTP responses.

Every error the API gives is JSON ``{"detail": "<human message>", "code": "<stable_code>"}``.
Services raise subclasses of :class:`AppError`; routers never build error responses by hand.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict


class ErrorResponse(BaseModel):
    detail: str
    code: str


class ValidationIssue(BaseModel):
    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorResponse(BaseModel):
    """The 422 of a request that fails validation: FastAPI's list of issues, plus the code."""

    detail: list[ValidationIssue]
    code: Literal["validation_error"]


class AppError(Exception):
    """A business error with a stable ``code`` and an HTTP ``status``."""

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message: ClassVar[str] = "Bad request"
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(self, message: str | None = None) -> None:
        self.detail = message if message is not None else self.message
        super().__init__(self.detail)


# --- 401 ------------------------------------------------------------------------------


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


# --- 403 / 404 / 409 / 402 shared by several domains -----------------------------------


class UserBanned(AppError):
    status = 403
    code = "user_banned"
    message = "This account is banned"


class NotOwner(AppError):
    status = 403
    code = "not_owner"
    message = "Only the order's owner can do this"


class OrderNotFound(AppError):
    status = 404
    code = "order_not_found"
    message = "Order not found"


class UserNotFound(AppError):
    status = 404
    code = "user_not_found"
    message = "User not found"


class OrderNotActive(AppError):
    status = 409
    code = "order_not_active"
    message = "The order is not active"


class ExecutorNotTaker(AppError):
    status = 409
    code = "executor_not_taker"
    message = "This executor did not take the order"


class IdempotencyKeyConflict(AppError):
    status = 409
    code = "idempotency_key_conflict"
    message = "This Idempotency-Key was already used for a different request"


class ValidationFailed(AppError):
    """A business-level validation failure with FastAPI's 422 status."""

    status = 422
    code = "validation_error"
    message = "Invalid request"


# --- OpenAPI ----------------------------------------------------------------------------

ERROR_EXAMPLE_LIMIT = 12


def responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the errors an endpoint can give, grouped by status."""
    by_status: dict[int, list[type[AppError]]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error)
    documented: dict[int | str, dict[str, Any]] = {}
    for status, group in sorted(by_status.items()):
        description = "; ".join(f"`{e.code}`: {e.message}" for e in group)
        model: Any = ErrorResponse
        if status == 422:  # the endpoint's own 422 replaces FastAPI's: document both shapes
            model = ValidationErrorResponse | ErrorResponse
            description = f"`validation_error`: the request is invalid; {description}"
        documented[status] = {
            "model": model,
            "description": description,
            "content": {
                "application/json": {
                    "examples": {
                        e.code: {"value": {"detail": e.message, "code": e.code}}
                        for e in group[:ERROR_EXAMPLE_LIMIT]
                    }
                }
            },
        }
    return documented


AUTH_ERRORS: tuple[type[AppError], ...] = (
    AuthMissing,
    InitDataMalformed,
    InitDataInvalid,
    InitDataExpired,
    InitDataNoUser,
    UserBanned,
)
