"""What the running application holds, and the typed dependencies that hand it out.

Code reaches the settings, the database, the bot and the request's connection only through
these dependencies and readers; ``app.state`` is read here and nowhere else (``create_app``
and its lifespan write it). The request's unit of work
(:class:`~srochno.db.UnitOfWork`) is opened and closed by :class:`UnitOfWorkRoute`, the
route class of every router: dependencies here are plain functions, no generators (a
generator dependency costs FastAPI far more than the statement it guards).

The hot routes (``srochno.app.HOT_ROUTES``) declare the user and their own parameters only,
take the ``Request`` and read the unit of work and the settings with :func:`unit_of_work`
and :func:`settings_of`: FastAPI resolves each dependency on every request (its own
parameters, its cache key, how to call it), about as much CPU as a statement's round trip
costs in Python, and these give nothing to the OpenAPI.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, cast, get_type_hints

from aiogram import Bot, Dispatcher
from fastapi import APIRouter, Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import (
    _get_param_aliases,
    _get_param_model,
    request_params_to_args,
)
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from srochno.config import Settings
from srochno.db import Connection, Database, UnitOfWork
from srochno.ratelimit import GUARD, Limiter, RequestGuard
from srochno.telegram.errors import BotNotConfigured

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

UNIT_OF_WORK = "srochno.unit_of_work"

T = TypeVar("T")


# --- what the application holds (for code that has the app, not a request) ---------------


def held(app: Any, name: str, kind: type[T]) -> T:
    """The ``kind`` the application holds as ``name`` (set by its lifespan)."""
    value = getattr(app.state, name, None)
    if not isinstance(value, kind):
        raise RuntimeError(f"the application holds no {name} (outside its lifespan?)")
    return value


def app_settings(app: Any) -> Settings:
    return cast(Settings, app.state.settings)


def app_database(app: Any) -> Database | None:
    """The application's database (None before its lifespan has opened it)."""
    return cast(Database | None, getattr(app.state, "db", None))


def app_bot(app: Any) -> Bot | None:
    """The process's one bot (None without a bot token)."""
    return cast(Bot | None, getattr(app.state, "bot", None))


def app_engine(app: Any) -> AsyncEngine:
    """The SQLAlchemy engine of the admin's list views, made on first use (its lifespan
    leaves ``make_engine``): a process that serves no admin page never loads SQLAlchemy's
    async layer."""
    engine = getattr(app.state, "engine", None)
    if engine is None:
        make = getattr(app.state, "make_engine", None)
        if make is None:
            raise RuntimeError("the application holds no engine (outside its lifespan?)")
        engine = app.state.engine = make()
    return cast("AsyncEngine", engine)


def app_limiter(app: Any) -> Limiter | None:
    """The process's rate limiter (None before the lifespan has built it)."""
    return cast(Limiter | None, getattr(app.state, "limiter", None))


# --- the request's dependencies -----------------------------------------------------------


def settings_of(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


def database_of(request: Request) -> Database:
    return cast(Database, request.app.state.db)


async def _settings(request: Request) -> Settings:
    return settings_of(request)


async def _database(request: Request) -> Database:
    return database_of(request)


def unit_of_work(request: Request) -> UnitOfWork:
    work = request.scope.get(UNIT_OF_WORK)
    if work is None:
        raise RuntimeError("a database dependency outside a UnitOfWorkRoute")
    return cast(UnitOfWork, work)


async def _work(request: Request) -> UnitOfWork:
    return unit_of_work(request)


async def _connection(request: Request) -> Connection:
    return await unit_of_work(request).connection()


async def _public_connection(request: Request) -> Connection:
    return await unit_of_work(request).public_connection()


async def _transaction(request: Request) -> Connection:
    return await unit_of_work(request).transaction()


async def _bot(request: Request) -> Bot:
    bot = app_bot(request.app)
    if bot is None:
        raise BotNotConfigured()
    return bot


async def _dispatcher(request: Request) -> Dispatcher:
    return cast(Dispatcher, request.app.state.dispatcher)


SettingsDep = Annotated[Settings, Depends(_settings)]
DatabaseDep = Annotated[Database, Depends(_database)]
BotDep = Annotated[Bot, Depends(_bot)]
"""The process's :class:`aiogram.Bot` (503 ``bot_not_configured`` without a bot token)."""
DispatcherDep = Annotated[Dispatcher, Depends(_dispatcher)]

Work = Annotated[UnitOfWork, Depends(_work)]
"""The request's unit of work itself: for a route that commits and gives its connection
back before calling a payment provider, then records the answer in a new transaction."""

ReadConnection = Annotated[Connection, Depends(_connection)]
"""The request's connection, each statement its own transaction: for routes that only read.
Authentication uses the same connection (before any transaction begins)."""

PublicConnection = Annotated[Connection, Depends(_public_connection)]
"""A connection for what anybody may see, which may lag a little (``DATABASE_REPLICA_URLS``):
a read replica's when one is usable, else the request's own connection to the primary."""

WriteConnection = Annotated[Connection, Depends(_transaction)]
"""The request's connection inside its one transaction, committed before the response is
sent and rolled back on any error. Declare it after ``CurrentUser``: the user's own upsert
then commits on its own before the request's transaction locks anything."""


class UnitOfWorkRoute(APIRoute):
    """Runs each request in one unit of work: committed when the endpoint returns (before
    the response is sent), rolled back when it raises; the connection is given back
    either way.

    A route served by :func:`direct_handler` is also called without FastAPI's per-request
    exit stacks and exception wrapper (:func:`direct_app`): it has no dependency with
    ``yield`` for the stacks to close, and its errors reach the application's exception
    middleware, which holds the same handlers."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        self._direct: Handler | None = None
        super().__init__(path, endpoint, **options)
        if self._direct is not None:
            self.app = direct_app(self.app, self._direct, self)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        direct = direct_handler(self)
        if direct is not None:
            handler = direct
        methods = sorted(self.methods or ())
        path = self.path

        async def run_in_unit_of_work(request: Request) -> Response:
            work = UnitOfWork(database_of(request), limits_of(request, methods, path))
            request.scope[UNIT_OF_WORK] = work
            try:
                response = await handler(request)
            except BaseException as error:
                await work.finish(commit=False, error=error)
                raise
            await work.finish(commit=True)
            return response

        if direct is not None:
            self._direct = run_in_unit_of_work
        return run_in_unit_of_work


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def direct_app(framework: ASGIApp, handler: Handler, route: APIRoute) -> ASGIApp:
    """The route's ASGI app for a direct handler: the request, the handler, its response.
    With dependency overrides set (tests), FastAPI's own app (``framework``) serves, as
    its handler then needs its exit stacks."""
    overrides = route.dependency_overrides_provider

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if overrides is not None and getattr(overrides, "dependency_overrides", None):
            await framework(scope, receive, send)
            return
        response = await handler(Request(scope, receive, send))
        await response(scope, receive, send)

    return app


def direct_handler(route: APIRoute) -> Handler | None:
    """What FastAPI's request handler does for a route of the simple shape, without its
    generic machinery: for a route that returns a ``Response``, takes no body, and
    depends only on coroutines that take the ``Request`` alone (the user, the unit of work),
    beside its path, query and header parameters. None for any other route (FastAPI's own
    handler serves it).

    The same steps in the same order: each dependency called once, in order (an error it
    raises ends the request, as in FastAPI); then the parameters validated by FastAPI's own
    ``request_params_to_args`` (same coercions, defaults and error entries), every error
    of the request in one ``RequestValidationError``; then the endpoint. What it leaves out
    costs FastAPI ~15–25 µs per dependency on every request: the recursive solve, the
    cache key, the classification of each callable, the parsing of the query string and
    the cookies for dependencies that read neither. OpenAPI is untouched (it is built from
    the route, not from its handler). A route with dependency overrides set falls back to
    FastAPI's handler at request time.
    """
    dependant = route.dependant
    endpoint = dependant.call
    if (
        endpoint is None
        or route.body_field is not None
        or dependant.body_params
        or dependant.cookie_params
        or not _direct_call(dependant, allow_params=True)
        or not _returns_response(endpoint)
    ):
        return None
    calls: list[tuple[str, Callable[[Request], Awaitable[Any]]]] = []
    for sub in dependant.dependencies:
        if sub.name is None or sub.call is None or not _direct_call(sub, allow_params=False):
            return None
        calls.append((sub.name, sub.call))
    if len({id(call) for _, call in calls}) != len(calls):
        return None  # the same dependency twice: FastAPI's cache decides
    path_params, query_params = dependant.path_params, dependant.query_params
    header_params, request_name = dependant.header_params, dependant.request_param_name
    # An optional query parameter that is not in the query is its default, as FastAPI
    # would find (copied, as FastAPI copies it): only the ones present are validated,
    # in FastAPI's order. ``None``: always validated (required, a default to validate, a
    # model of parameters).
    query_fields = [
        (
            field,
            None
            if field.field_info.is_required()
            or field.field_info.validate_default
            or _get_param_model(field) is not None
            else frozenset(alias for _, alias in _get_param_aliases(field)),
        )
        for field in query_params
    ]
    skips_absent = any(aliases is not None for _, aliases in query_fields)
    overrides = route.dependency_overrides_provider
    fallback: Handler | None = None

    async def handle(request: Request) -> Response:
        if overrides is not None and getattr(overrides, "dependency_overrides", None):
            nonlocal fallback
            if fallback is None:
                fallback = APIRoute.get_route_handler(route)
            return await fallback(request)
        values: dict[str, Any] = {}
        for name, call in calls:
            values[name] = await call(request)
        errors: list[Any] = []
        asked = query_params
        if skips_absent:
            query = request.query_params
            asked = []
            for field, aliases in query_fields:
                if aliases is None or not aliases.isdisjoint(query):
                    asked.append(field)
                else:
                    values[field.name] = copy.deepcopy(field.default)
        for fields, source in (
            (path_params, lambda: request.path_params),
            (asked, lambda: request.query_params),
            (header_params, lambda: request.headers),
        ):
            if fields:
                found, wrong = request_params_to_args(fields, source())
                values.update(found)
                errors += wrong
        if errors:
            raise RequestValidationError(errors, body=None)
        if request_name is not None:
            values[request_name] = request
        response: Response = await endpoint(**values)
        return response

    return handle


def _direct_call(dependant: Dependant, *, allow_params: bool) -> bool:
    """A coroutine function with nothing FastAPI would have to provide beyond the
    ``Request`` (and, for the endpoint, path, query and header parameters)."""
    call = dependant.call
    return (
        call is not None
        and inspect.iscoroutinefunction(call)
        and not dependant.websocket_param_name
        and not dependant.http_connection_param_name
        and not dependant.response_param_name
        and not dependant.background_tasks_param_name
        and not dependant.security_scopes_param_name
        and not dependant.own_oauth_scopes
        and not dependant.parent_oauth_scopes
        and (
            allow_params
            or (
                dependant.request_param_name is not None
                and not dependant.dependencies
                and not dependant.path_params
                and not dependant.query_params
                and not dependant.header_params
                and not dependant.cookie_params
                and not dependant.body_params
                and len(inspect.signature(call).parameters) == 1
            )
        )
    )


def _returns_response(endpoint: Callable[..., Any]) -> bool:
    try:
        returned = get_type_hints(endpoint).get("return")
    except Exception:
        return False
    return isinstance(returned, type) and issubclass(returned, Response)


def limits_of(request: Request, methods: list[str], path: str) -> RequestGuard | None:
    """The request's rate limits (see :mod:`srochno.ratelimit`), this route's per-user one
    included, to be counted on the unit of work's connection."""
    guard: RequestGuard | None = request.scope.get(GUARD)
    if guard is not None:
        for method in methods:
            guard.user_limit = guard.limiter.user_limit(method, path) or guard.user_limit
    return guard


def domain_router(**options: Any) -> APIRouter:
    """An ``APIRouter`` whose routes run in a unit of work."""
    return APIRouter(route_class=UnitOfWorkRoute, **options)
