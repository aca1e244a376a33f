"""Signing operators in: name and password (argon2), rate-limited in PostgreSQL, into a
signed session cookie (``SECRET_KEY``) that holds only the operator's id. The account is
re-read on every request, so disabling it or changing its role applies at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import Response
from starlette_admin.auth import AdminUser, AuthProvider
from starlette_admin.exceptions import LoginFailed

from srochno.admin.context import OPERATOR_STATE, AdminContext
from srochno.staff import errors
from srochno.staff.service import Operator, find_operator, sign_in

SESSION_KEY = "operator_id"


@dataclass
class OperatorUser(AdminUser):
    operator: Operator | None = field(default=None)


def client_address(request: Request) -> str:
    """The client's address (uvicorn has applied ``X-Forwarded-For`` from trusted proxies)."""
    return request.client.host if request.client else "unknown"


class OperatorAuth(AuthProvider):
    def __init__(self, context: AdminContext) -> None:
        super().__init__(login_path="/login", logout_path="/logout")
        self.context = context

    async def login(
        self, username: str, password: str, remember_me: bool, request: Request
    ) -> Response | None:
        try:
            async with self.context.connection() as conn:
                operator = await sign_in(
                    conn, self.context.settings, username, password, client_address(request)
                )
        except (errors.LoginRateLimited, errors.LoginFailed) as error:
            raise LoginFailed(error.detail) from None
        request.session.clear()  # a new session: nothing carried over from before sign-in
        request.session[SESSION_KEY] = operator.id
        return None

    async def logout(self, request: Request) -> Response | None:
        request.session.clear()
        return None

    async def authenticate(self, request: Request) -> AdminUser | None:
        admin_id = request.session.get(SESSION_KEY)
        if not isinstance(admin_id, int):
            return None
        async with self.context.connection() as conn:
            operator = await find_operator(conn, admin_id)
        if operator is None:
            request.session.clear()
            return None
        setattr(request.state, OPERATOR_STATE, operator)
        return OperatorUser(username=f"{operator.name} · {operator.role}", operator=operator)
