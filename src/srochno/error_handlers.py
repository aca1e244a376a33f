"""The one place that turns exceptions into ``{"detail", "code"}`` responses. A violated
unique constraint is answered with the error its domain registered
(:data:`srochno.errors.CONSTRAINT_ERRORS`)."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srochno.body_limit import body_refusal_in
from srochno.db import unavailable
from srochno.errors import CONSTRAINT_ERRORS, AppError

logger = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
}

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

BODY_PARSE_ERROR = "There was an error parsing the body"

# Echoed input is cut to this many characters.
ECHO_LIMIT = 200
# Parts of a validation issue that may carry input: a validator's message can quote it.
ECHOED = frozenset({"input", "msg"})


def error_response(error: AppError) -> JSONResponse:
    return JSONResponse(
        {"detail": error.detail, "code": error.code, **error.extra},
        status_code=error.status,
        headers=error.headers,
    )


async def _app_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return error_response(exc)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = [
        {k: echo(v) if k in ECHOED else v for k, v in issue.items() if _shown(k, v)} | _ctx(issue)
        for issue in exc.errors()
    ]
    detail: Any = jsonable_encoder(issues, custom_encoder={bytes: _bytes_repr, float: _number})
    return JSONResponse({"detail": detail, "code": "validation_error"}, status_code=422)


def _shown(key: str, value: Any) -> bool:
    """An issue echoes the offending field's value, never an object or a list around it
    (a missing field's ``input`` is the whole body, contact included)."""
    return key != "ctx" and not (key == "input" and isinstance(value, (dict, list)))


def _ctx(issue: dict[str, Any]) -> dict[str, Any]:
    ctx = issue.get("ctx")
    if not isinstance(ctx, dict):
        return {}
    return {"ctx": {key: echo(value) for key, value in ctx.items()}}


def echo(value: Any) -> Any:
    """Input as an error may show it: valid Unicode, at most 200 characters of text, no
    number JSON cannot write (NaN, Infinity)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, bytes):
        value = _bytes_repr(value)
    if not isinstance(value, str):
        value = repr(value)
    value = value.encode("utf-8", "replace").decode("utf-8")
    return value if len(value) <= ECHO_LIMIT else value[:ECHO_LIMIT] + "…"


def _bytes_repr(value: bytes) -> str:
    return value.decode("utf-8", errors="replace")


def _number(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400 and exc.detail == BODY_PARSE_ERROR:
        # A body that is not UTF-8 is invalid JSON too: the same 422 as any other bad JSON.
        return JSONResponse(
            {
                "detail": [
                    {"type": "json_invalid", "loc": ["body"], "msg": "Body is not valid UTF-8 JSON"}
                ],
                "code": "validation_error",
            },
            status_code=422,
        )
    headers = exc.headers
    allowed = _allowed_methods(request) if exc.status_code == 405 else ""
    if allowed:
        headers = {**(headers or {}), "Allow": allowed}
    return http_error_response(exc, headers)


def http_error_response(
    exc: StarletteHTTPException, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    """The answer to an HTTP error: its detail and a stable code (``HTTP_CODES``)."""
    code = HTTP_CODES.get(exc.status_code, "http_error")
    return JSONResponse(
        {"detail": str(exc.detail), "code": code},
        status_code=exc.status_code,
        headers=exc.headers if headers is None else headers,
    )


def _allowed_methods(request: Request) -> str:
    """Every method the requested path answers. The router names only those of the first
    route that matched the path, and a path often has several routes (GET and POST, say)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in HTTP_METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)


def _constraint_name(exc: Exception) -> str | None:
    orig = exc.orig if isinstance(exc, IntegrityError) else exc
    name = getattr(orig, "constraint_name", None) or getattr(
        getattr(orig, "__cause__", None), "constraint_name", None
    )
    return name if isinstance(name, str) else None


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, (IntegrityError, asyncpg.IntegrityConstraintViolationError)):
        name = _constraint_name(exc)
        error = CONSTRAINT_ERRORS.get(name or "")
        if error is not None:
            return error_response(error())
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if isinstance(exc, AppError):  # raised where only the outermost layer sees it
        return error_response(exc)
    busy_or_down = unavailable(exc)
    if busy_or_down is not None:
        logger.warning("%s: %s", busy_or_down.code, type(exc).__name__)
        return error_response(busy_or_down)
    logger.exception("unhandled error", exc_info=exc)
    return JSONResponse(
        {"detail": "Internal server error", "code": "internal_error"}, status_code=500
    )


class BusyOrUnavailable:
    """For a mounted app with error pages of its own (the admin): a request that cannot
    get a database connection in time, or cannot reach the database, is the same 503 as
    everywhere (``service_busy`` with ``Retry-After``, ``database_unavailable``), and a body
    over the limit or too slow the same 413 or 408, wherever below it was raised (its
    sign-in check runs in a middleware, which wraps errors in exception groups), never a
    500."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as error:
            if started or scope["type"] != "http":
                raise
            rejection = body_refusal_in(error)
            if rejection is not None:
                await http_error_response(rejection)(scope, receive, send)
                return
            busy_or_down = unavailable(error)
            if busy_or_down is None:
                raise
            logger.warning("%s: %s", busy_or_down.code, type(error).__name__)
            await error_response(busy_or_down)(scope, receive, send)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(asyncpg.PostgresError, _database_error)
    app.add_exception_handler(asyncpg.InterfaceError, _unexpected)
    # A connection left in a broken state by a lost server (asyncpg's own bookkeeping).
    app.add_exception_handler(asyncpg.InternalClientError, _unexpected)
    # Connection failures that arrive unwrapped (socket errors, pool time-outs): handled here,
    # below the server-error layer, so an outage is a clean 503 and not a logged traceback.
    app.add_exception_handler(OSError, _unexpected)
    app.add_exception_handler(PoolTimeoutError, _unexpected)
    app.add_exception_handler(Exception, _unexpected)
