"""Request metrics, recorded by the request's edge (``srochno.edge``): the labelled
children kept in a dict, nothing else on the hot path."""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

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


class RequestMetrics:
    """Counts each request by method, route and status, and observes its duration."""

    def __init__(self) -> None:
        self._counters: dict[tuple[str, str, int], Any] = {}
        self._histograms: dict[tuple[str, str], Any] = {}

    def record(self, scope: Scope, status: int, seconds: float) -> None:
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
