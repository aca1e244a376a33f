"""Request metrics as a pure ASGI middleware: one clock read each side, the labelled
children kept in a dict, nothing else on the hot path."""

from __future__ import annotations

from time import perf_counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srochno.metrics import HTTP_LATENCY, HTTP_REQUESTS

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"
STREAM_SUFFIX = "/stream"


def route_template(scope: Scope) -> str:
    """The matched route's template (``/api/orders/{order_id}``), prefixed by the mount
    it is in; ``unmatched`` for paths no route knows (a scanner's cannot grow the labels)."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    if not isinstance(path, str):
        return UNMATCHED
    prefix = scope.get("root_path", "")
    app_root = scope.get("app_root_path", "")
    if prefix.startswith(app_root):
        prefix = prefix[len(app_root) :]
    return (prefix + path) or "/"


class RequestMetricsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._histograms: dict[tuple[str, str], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self._record(scope, status, perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"]
        if method not in METHODS:
            method = "OTHER"
        route = route_template(scope)
        key = (method, route, status)
        counter = self._counters.get(key)
        if counter is None:
            counter = self._counters[key] = HTTP_REQUESTS.labels(method, route, str(status))
        counter.inc()
        if route.endswith(STREAM_SUFFIX):  # a stream's duration is its client's patience
            return
        histogram = self._histograms.get((method, route))
        if histogram is None:
            histogram = self._histograms[(method, route)] = HTTP_LATENCY.labels(method, route)
        histogram.observe(seconds)
