"""Building the admin app and mounting it at ``/admin``.

starlette-admin (see docs/decisions.md): its own CSRF middleware checks a signed
double-submit token on every POST of the mounted app (sign-in, sign-out, every action),
so the actions below need nothing more. The session is Starlette's signed cookie
(``SECRET_KEY``), ``HttpOnly`` and ``SameSite=Lax``, ``Secure`` in production or behind
https, valid ``ADMIN_SESSION_HOURS``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jinja2 import DictLoader, PackageLoader, PrefixLoader
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from starlette_admin.contrib.sqla import Admin

from srochno.admin.auth import OperatorAuth
from srochno.admin.context import AdminContext, LateBoundSessions
from srochno.admin.dashboard import DashboardView
from srochno.admin.views import model_views
from srochno.config import Settings, signing_secret

SESSION_COOKIE = "srochno_admin"
HERE = Path(__file__).parent

# The library's pages import a web font from a third-party site; the panel uses the
# system fonts instead, so no page of it loads anything from outside the service.
BASE_TEMPLATE = """{% extends "library/base.html" %}
{% block fonts %}<style>body { font-feature-settings: "cv03", "cv04", "cv11"; }</style>
{% endblock %}"""

SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
    (b"cache-control", b"no-store"),
]


CSRF_COOKIE = b"starlette_admin_csrftoken="


class SecurityHeaders:
    """No framing (clickjacking of the action buttons), no caching of operators' pages;
    with ``secure``, the library's CSRF cookie is ``Secure`` too (it sets it only when the
    request it sees is https, which depends on the proxy's headers being trusted)."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [*message.get("headers", []), *SECURITY_HEADERS]
                if self.secure:
                    headers = [secure_csrf_cookie(name, value) for name, value in headers]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def secure_csrf_cookie(name: bytes, value: bytes) -> tuple[bytes, bytes]:
    csrf = name.lower() == b"set-cookie" and value.startswith(CSRF_COOKIE)
    if csrf and b"; secure" not in value.lower():
        value += b"; Secure"
    return name, value


class AnonymousVisitQuiet(logging.Filter):
    """The library logs every visit before sign-in (a redirect to the login page) as a
    warning: it is an ordinary visit, and the access log has it already."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("auth: unauthenticated")


def quiet_anonymous_visits() -> None:
    target = logging.getLogger("starlette_admin.auth.base")
    if not any(isinstance(f, AnonymousVisitQuiet) for f in target.filters):
        target.addFilter(AnonymousVisitQuiet())


def cookie_secure(settings: Settings) -> bool:
    if settings.admin_cookie_secure is not None:
        return settings.admin_cookie_secure
    return not settings.is_development or settings.public_url.startswith("https://")


def build_admin(
    app: Any, settings: Settings, prefix: str, *, outermost: Sequence[Middleware] = ()
) -> ASGIApp:
    """The admin's app for ``app``, to be mounted at ``prefix`` (by
    :mod:`srochno.admin.mount`); ``outermost`` wraps all of it (the service's own handling
    of database errors, which sit above this module)."""
    context = AdminContext(app)
    quiet_anonymous_visits()
    secret = signing_secret(settings)
    admin = Admin(
        LateBoundSessions(context),
        title="Srochno admin",
        base_url=prefix,
        templates_dir=str(HERE / "templates"),
        additional_loaders=[
            DictLoader({"base.html": BASE_TEMPLATE}),
            PrefixLoader({"library": PackageLoader("starlette_admin", "templates")}),
        ],
        static_dir=str(HERE / "static"),
        index_view=DashboardView(context),
        auth_provider=OperatorAuth(context),
        secret_key=secret,
        middlewares=[
            *outermost,
            Middleware(SecurityHeaders, secure=cookie_secure(settings)),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=SESSION_COOKIE,
                max_age=round(settings.admin_session_hours * 3600),
                path=prefix,
                same_site="lax",
                https_only=cookie_secure(settings),
            ),
        ],
    )
    for view in model_views(context):
        admin.add_view(view)
    admin.mount_to(Starlette())  # builds the admin's app; the service mounts it itself
    return admin.app
