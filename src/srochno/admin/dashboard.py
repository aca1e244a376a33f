"""The dashboard (the admin's home page) and the same figures as JSON."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette_admin import CustomView
from starlette_admin.auth import login_not_required
from starlette_admin.routing import route

from srochno import clock
from srochno.admin.context import AdminContext, operator_of
from srochno.admin.stats import dashboard_stats
from srochno.responses import json_response

TEMPLATE = "srochno/dashboard.html"


class DashboardView(CustomView):
    menu_label = "Dashboard"
    icon = "fa fa-chart-line"
    path = "/"

    def __init__(self, context: AdminContext) -> None:
        super().__init__()
        self.context = context

    async def figures(self) -> dict[str, object]:
        async with self.context.connection() as conn:
            return await dashboard_stats(conn, clock.now())

    @route("")
    async def index(self, request: Request) -> Response:
        assert self.templates is not None
        return self.templates.TemplateResponse(
            request=request,
            name=TEMPLATE,
            context={"title": "Dashboard", "stats": await self.figures()},
        )

    @route("/api/stats", methods=["GET"])
    @login_not_required  # answered here: 401 JSON, not a redirect to the sign-in page
    async def stats(self, request: Request) -> Response:
        if operator_of(request) is None:
            return json_response(
                {"detail": "Sign in to the admin panel", "code": "admin_auth_required"},
                status_code=401,
            )
        return json_response(await self.figures())
