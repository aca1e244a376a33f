"""What the running application holds, and the typed dependencies that hand it out.

Code reaches the settings, the database and the engine only through these dependencies;
``app.state`` is read here and nowhere else.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from aiogram import Bot, Dispatcher
from fastapi import Depends, FastAPI, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from srochno.bot.errors import BotNotConfigured
from srochno.config import Settings
from srochno.db import Connection, Database


class AppState:
    """The typed view of ``app.state``: settings from start, the rest from the lifespan."""

    def __init__(self, app: FastAPI) -> None:
        self._state = app.state

    @property
    def settings(self) -> Settings:
        return cast(Settings, self._state.settings)

    @property
    def db(self) -> Database:
        return cast(Database, self._state.db)

    @property
    def engine(self) -> AsyncEngine:
        return cast(AsyncEngine, self._state.engine)

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return cast(async_sessionmaker[AsyncSession], self._state.sessionmaker)

    @property
    def bot(self) -> Bot | None:
        """The process's one bot (None without a bot token)."""
        return cast(Bot | None, self._state.bot)

    @property
    def dispatcher(self) -> Dispatcher:
        return cast(Dispatcher, self._state.dispatcher)


async def get_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_database(request: Request) -> Database:
    return cast(Database, request.app.state.db)


async def get_bot(request: Request) -> Bot:
    bot = cast(Bot | None, getattr(request.app.state, "bot", None))
    if bot is None:
        raise BotNotConfigured()
    return bot


async def get_dispatcher(request: Request) -> Dispatcher:
    return cast(Dispatcher, request.app.state.dispatcher)


SettingsDep = Annotated[Settings, Depends(get_settings)]
DatabaseDep = Annotated[Database, Depends(get_database)]
BotDep = Annotated[Bot, Depends(get_bot)]
"""The process's :class:`aiogram.Bot` (503 ``bot_not_configured`` without a bot token)."""
DispatcherDep = Annotated[Dispatcher, Depends(get_dispatcher)]


async def _connection(db: DatabaseDep) -> AsyncIterator[Connection]:
    async with db.connection() as conn:
        yield conn


async def _transaction(
    conn: Annotated[Connection, Depends(_connection, scope="function")],
) -> AsyncIterator[Connection]:
    async with conn.transaction():
        yield conn


ReadConnection = Annotated[Connection, Depends(_connection, scope="function")]
"""The request's connection, each statement its own transaction: for routes that only read.
Authentication uses the same connection (before any transaction begins)."""

WriteConnection = Annotated[Connection, Depends(_transaction, scope="function")]
"""The request's connection inside one transaction, committed before the response is sent
and rolled back on any error. Declare it after ``CurrentUser``: the user's own upsert then
commits on its own before the request's transaction locks anything."""
