"""What the mounted admin app reaches of the service: its settings and database.

The admin is a Starlette app of its own, mounted inside the service's; its requests carry
the admin app, not the service's, so the admin holds the service app and reads its state
here, through :mod:`srochno.state`'s readers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import Request

from srochno.config import Settings
from srochno.db import Connection, Database
from srochno.payments.yookassa import YooKassaClient
from srochno.staff.service import Operator
from srochno.state import app_bot, app_database, app_engine, app_settings

OPERATOR_STATE = "operator"


class AdminContext:
    def __init__(self, app: Any) -> None:
        self._app = app

    @property
    def settings(self) -> Settings:
        return app_settings(self._app)

    @property
    def db(self) -> Database:
        db = app_database(self._app)
        if db is None:
            raise RuntimeError("the service's database is not open (outside its lifespan?)")
        return db

    @property
    def bot(self) -> Bot | None:
        """The service's bot (None without a bot token)."""
        return app_bot(self._app)

    def yookassa(self) -> YooKassaClient:
        """The service's YooKassa client (503 ``topups_not_configured`` without a shop)."""
        from srochno.payments.topups_router import client_for

        return client_for(self._app.state, self.settings)

    @property
    def engine(self) -> AsyncEngine:
        return app_engine(self._app)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Connection]:
        async with self.db.transaction() as conn:
            yield conn

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Connection]:
        async with self.db.connection() as conn:
            yield conn


class LateBoundSessions(async_sessionmaker[AsyncSession]):
    """SQLAlchemy sessions for the admin's list views, bound to the service's engine once
    its lifespan has made it (the admin is built before)."""

    def __init__(self, context: AdminContext) -> None:
        super().__init__(expire_on_commit=False, autoflush=False)
        self._context = context

    def __call__(self, **local_kw: Any) -> AsyncSession:
        return super().__call__(bind=self._context.engine, **local_kw)


def operator_of(request: Request) -> Operator | None:
    """The operator signed in for this request (set by the auth provider)."""
    operator = getattr(request.state, OPERATOR_STATE, None)
    return operator if isinstance(operator, Operator) else None
