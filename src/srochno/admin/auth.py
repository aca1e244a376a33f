"""Signing operators in: name and password (argon2), rate-limited in PostgreSQL, into a
session kept in the database (:mod:`srochno.staff.sessions`) whose random token is all the
signed cookie (``SECRET_KEY``) holds. The session and its account are read on every
request: signing out, disabling the account or changing its role ends it at once, and a
cookie replayed after that is refused."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates
from starlette_admin.auth import AdminUser, AuthProvider
from starlette_admin.exceptions import LoginFailed

from srochno.admin.context import OPERATOR_STATE, AdminContext
from srochno.errors import DatabaseUnavailable, ServiceBusy
from srochno.ratelimit import client_key
from srochno.staff import errors
from srochno.staff.service import Operator, begin_sign_in, check_password, finish_sign_in
from srochno.staff.sessions import end_session, open_session, session_operator

SESSION_KEY = "session"


@dataclass
class OperatorUser(AdminUser):
    operator: Operator | None = field(default=None)


def client_address(request: Request) -> str:
    """The client's address (uvicorn has applied ``X-Forwarded-For`` from trusted proxies)."""
    return client_key(request.client.host) if request.client else "unknown"


class OperatorAuth(AuthProvider):
    def __init__(self, context: AdminContext) -> None:
        super().__init__(login_path="/login", logout_path="/logout")
        self.context = context

    async def login(
        self, username: str, password: str, remember_me: bool, request: Request
    ) -> Response | None:
        settings = self.context.settings
        try:
            async with self.context.connection() as conn:
                attempt = await begin_sign_in(conn, settings, username, client_address(request))
            # No connection held while the password is checked (tens of milliseconds).
            correct = await check_password(attempt, password)
            async with self.context.connection() as conn:
                operator = await finish_sign_in(conn, attempt, password, correct=correct)
                token = await open_session(conn, operator, settings.admin_session_hours)
        except errors.LoginFailed as error:  # the form again (400); a lockout is render_login's
            raise LoginFailed(error.detail) from None
        request.session.clear()  # a new session: nothing carried over from before sign-in
        request.session[SESSION_KEY] = token
        return None

    async def render_login(self, request: Request, templates: Jinja2Templates) -> Response:
        """The sign-in page; when the database is busy or down, the form again with the
        reason (503, and ``Retry-After`` when busy), never a 500; past the attempts' limit,
        the form with the reason, 429 and ``Retry-After`` (the window, by when the oldest
        attempts no longer count)."""
        try:
            return await super().render_login(request, templates)
        except (ServiceBusy, DatabaseUnavailable, errors.LoginRateLimited) as error:
            headers = error.headers
            if isinstance(error, errors.LoginRateLimited):
                window = self.context.settings.admin_login_window_minutes
                headers = {"Retry-After": str(round(window * 60))}
            return templates.TemplateResponse(
                request=request,
                name="login.html",
                context={"error": error.detail},
                status_code=error.status,
                headers=headers,
            )

    async def logout(self, request: Request) -> Response | None:
        token = request.session.get(SESSION_KEY)
        if isinstance(token, str):
            async with self.context.connection() as conn:
                await end_session(conn, token)
        request.session.clear()
        return None

    async def authenticate(self, request: Request) -> AdminUser | None:
        token = request.session.get(SESSION_KEY)
        if not isinstance(token, str):
            return None
        async with self.context.connection() as conn:
            operator = await session_operator(conn, token)
        if operator is None:
            request.session.clear()
            return None
        setattr(request.state, OPERATOR_STATE, operator)
        return OperatorUser(username=f"{operator.name} · {operator.role}", operator=operator)
