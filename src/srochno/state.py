"""What the running application holds, and the typed dependencies that hand it out.

Code reaches the settings, the database, the bot and the request's connection only through
these dependencies and readers; ``app.state`` is read here and nowhere else (``create_app``
and its lifespan write it). The request's unit of work
(:class:`~srochno.db.UnitOfWork`) is opened and closed by :class:`UnitOfWorkRoute`, the
route class of every router: dependencies here are plain functions, no generators (a
generator dependency costs FastAPI far more than the statement it guards).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any, TypeVar, cast

from aiogram import Bot, Dispatcher
from fastapi import APIRouter, Depends, Request
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.responses import Response

from srochno.config import Settings
from srochno.db import Connection, Database, UnitOfWork
from srochno.ratelimit import GUARD, Limiter, RequestGuard
from srochno.telegram.errors import BotNotConfigured

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
    """The SQLAlchemy engine of the admin's list views."""
    return held(app, "engine", AsyncEngine)


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

WriteConnection = Annotated[Connection, Depends(_transaction)]
"""The request's connection inside its one transaction, committed before the response is
sent and rolled back on any error. Declare it after ``CurrentUser``: the user's own upsert
then commits on its own before the request's transaction locks anything."""


class UnitOfWorkRoute(APIRoute):
    """Runs each request in one unit of work: committed when the endpoint returns (before
    the response is sent), rolled back when it raises; the connection is given back
    either way."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
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

        return run_in_unit_of_work


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
