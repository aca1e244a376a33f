"""The request's edge: one ASGI middleware for what every HTTP request passes through.

In order: the request's id (``X-Request-ID``, echoed, on every log line) and its access
line (:mod:`srochno.logs`), its metrics (:mod:`srochno.monitoring.requests`), its rate
limits' guard, counted when its response starts if it never used the database
(:mod:`srochno.ratelimit`), and its body's limits in size and time
(:mod:`srochno.body_limit`). One frame and one ``send`` wrapper for the four: each layer
of middleware is resumed at every ``await`` of the request beneath it.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srochno.body_limit import TOO_LARGE, BodyLimit
from srochno.db import Database
from srochno.logs import log_access, request_id_of, request_id_var
from srochno.monitoring.requests import RequestMetrics
from srochno.ratelimit import Limiter, RateLimited, check_at_response, guard_request, refusal

REQUEST_ID_HEADER = b"x-request-id"


class RequestEdge:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limiter_of: Callable[[Any], Limiter | None],
        database_of: Callable[[Any], Database | None],
        body_timeout: float,
    ) -> None:
        self.app = app
        self.limiter_of = limiter_of
        self.database_of = database_of
        self.body = BodyLimit(timeout=body_timeout)
        self.metrics = RequestMetrics()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        request_id = request_id_of(scope)
        token = request_id_var.set(request_id)
        header = (REQUEST_ID_HEADER, request_id.encode())
        guard = guard_request(scope, self.limiter_of(scope.get("app")))
        status = 500
        refused = False

        async def edge_send(message: Message) -> None:
            nonlocal status, refused
            if refused:
                return
            if message["type"] == "http.response.start":
                if guard is not None and guard.pending:
                    try:
                        await check_at_response(self.database_of(scope.get("app")), guard)
                    except RateLimited as error:
                        refused = True
                        message, body = refusal(error)
                        status = 429
                        message["headers"].append(header)
                        await send(message)
                        await send(body)
                        return
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        try:
            limited = self.body.receive(scope, receive)
            if limited is None:
                await TOO_LARGE(scope, receive, edge_send)
            else:
                await self.app(scope, limited, edge_send)
        finally:
            self.metrics.record(scope, status, perf_counter() - started)
            log_access(scope, status, started)
            request_id_var.reset(token)
