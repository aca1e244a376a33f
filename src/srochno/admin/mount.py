"""The admin at ``/admin``, built on its first request.

The admin (starlette-admin, its views, SQLAlchemy's async layer and the engine of its list
views) is about 12 MB in every server process, and most processes never serve one of its
pages. The service mounts this small app in its place; the first request under ``/admin``
builds the real one (:func:`srochno.admin.setup.build_admin`, a few hundred milliseconds,
once per process), and every request after goes straight to it. Links to the admin's
pages (``url_for("admin:...")``) resolve through :attr:`AdminOnFirstUse.routes`, which
builds it too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from starlette.middleware import Middleware
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from srochno.config import Settings

PREFIX = "/admin"
ROUTE_NAME = "admin"


class AdminOnFirstUse:
    def __init__(self, build: Callable[[], ASGIApp]) -> None:
        self._build = build
        self._app: ASGIApp | None = None

    @property
    def app(self) -> ASGIApp:
        if self._app is None:  # built without awaiting: two first requests build it once
            self._app = self._build()
        return self._app

    @property
    def built(self) -> bool:
        return self._app is not None

    @property
    def routes(self) -> list[BaseRoute]:
        routes: list[BaseRoute] = getattr(self.app, "routes", [])
        return routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def mount_admin(app: Any, settings: Settings, *, outermost: Sequence[Middleware] = ()) -> None:
    """The admin at ``/admin``, built on first use; ``outermost`` wraps all of it."""

    def build() -> ASGIApp:
        from srochno.admin.setup import build_admin

        return build_admin(app, settings, PREFIX, outermost=outermost)

    app.mount(PREFIX, AdminOnFirstUse(build), name=ROUTE_NAME)
