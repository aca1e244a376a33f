"""The base of every typed application error, and how errors are documented in OpenAPI.

Every error the API gives is JSON ``{"detail": "<human message>", "code": "<stable_code>"}``.
Services raise subclasses of :class:`AppError` (each domain has its own ``errors.py``);
routers never build error responses by hand; ``error_handlers.py`` turns them into
responses. A unique constraint whose violation is an expected outcome (a race, a repeat) is
registered by its domain with :func:`on_violation`.
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
    """A business error with a stable ``code`` and an HTTP ``status``.

    ``extra`` holds machine-readable fields some errors add beside ``detail`` and
    ``code``; such an error documents them with its own ``model`` and ``example``.
    """

    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"
    message: ClassVar[str] = "Bad request"
    headers: ClassVar[dict[str, str] | None] = None
    model: ClassVar[type[BaseModel]] = ErrorResponse

    def __init__(self, message: str | None = None) -> None:
        self.detail = message if message is not None else self.message
        self.extra: dict[str, Any] = {}
        super().__init__(self.detail)

    @classmethod
    def example(cls) -> dict[str, Any]:
        return {"detail": cls.message, "code": cls.code}


class IdempotencyKeyConflict(AppError):
    status = 409
    code = "idempotency_key_conflict"
    message = "This Idempotency-Key was already used for a different request"


class DatabaseUnavailable(AppError):
    status = 503
    code = "database_unavailable"
    message = "The database is unavailable, try again shortly"


class ServiceBusy(AppError):
    """Every database connection of the process is in use and none came free in time
    (``DB_POOL_TIMEOUT_SECONDS``): a flood, not a fault. Nothing of the request ran."""

    status = 503
    code = "service_busy"
    message = "The service is busy, try again in a few seconds"
    headers: ClassVar[dict[str, str] | None] = {"Retry-After": "2"}


class ValidationFailed(AppError):
    """A business-level validation failure with FastAPI's 422 status."""

    status = 422
    code = "validation_error"
    message = "Invalid request"


# --- OpenAPI ----------------------------------------------------------------------------

CONSTRAINT_ERRORS: dict[str, type[AppError]] = {}
"""Unique constraints whose violation is an expected outcome, not a bug, and the error
answered for it. Each domain's ``errors.py`` registers its own."""


def on_violation(constraint: str, error: type[AppError]) -> None:
    """A violation of ``constraint`` is answered as ``error`` (not a 500)."""
    CONSTRAINT_ERRORS[constraint] = error


ERROR_EXAMPLE_LIMIT = 12


def responses(*errors: type[AppError]) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the errors an endpoint can give, grouped by status."""
    if DatabaseUnavailable in errors and ServiceBusy not in errors:
        errors = (*errors, ServiceBusy)  # whatever needs a connection may wait for one
    by_status: dict[int, list[type[AppError]]] = {}
    for error in errors:
        by_status.setdefault(error.status, []).append(error)
    documented: dict[int | str, dict[str, Any]] = {}
    for status, group in sorted(by_status.items()):
        description = "; ".join(f"`{e.code}`: {e.message}" for e in group)
        models = list(dict.fromkeys(e.model for e in group))
        if status == 422:  # the endpoint's own 422 replaces FastAPI's: document both shapes
            models.insert(0, ValidationErrorResponse)
            description = f"`validation_error`: the request is invalid; {description}"
        model: Any = models[0]
        for other in models[1:]:
            model = model | other
        documented[status] = {
            "model": model,
            "description": description,
            "content": {
                "application/json": {
                    "examples": {
                        e.code: {"value": e.example()} for e in group[:ERROR_EXAMPLE_LIMIT]
                    }
                }
            },
        }
    return documented
