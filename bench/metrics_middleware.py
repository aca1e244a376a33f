"""CPU added per request by the request-metrics middleware, measured in isolation.

    python bench/metrics_middleware.py [--requests 200000]

The middleware wraps an ASGI app that answers at once (a route template in the scope, as
FastAPI leaves it); the same calls without the middleware are the baseline. The
difference is the middleware's own cost, free of the noise of a whole request. Run it
with and without ``PROMETHEUS_MULTIPROC_DIR`` (a temporary folder) for both modes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from types import SimpleNamespace
from typing import Any

ROUTE = SimpleNamespace(path="/api/orders/{order_id}")
START = {"type": "http.response.start", "status": 200, "headers": []}
BODY = {"type": "http.response.body", "body": b"{}"}


async def endpoint(scope: dict[str, Any], receive: Any, send: Any) -> None:
    scope["route"] = ROUTE
    await send(START)
    await send(BODY)


async def run(app: Any, count: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        return None

    for _ in range(1000):  # warm up
        await app({"type": "http", "method": "GET", "path": "/x"}, receive, send)
    started = time.process_time()
    for _ in range(count):
        await app({"type": "http", "method": "GET", "path": "/x"}, receive, send)
    return 1e6 * (time.process_time() - started) / count


async def main(count: int) -> None:
    from srochno.monitoring.middleware import RequestMetricsMiddleware

    bare = min([await run(endpoint, count) for _ in range(3)])
    wrapped = min([await run(RequestMetricsMiddleware(endpoint), count) for _ in range(3)])
    print(
        json.dumps(
            {
                "multiprocess": bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR")),
                "bare_us": round(bare, 2),
                "with_metrics_us": round(wrapped, 2),
                "overhead_us": round(wrapped - bare, 2),
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200_000)
    asyncio.run(main(parser.parse_args().requests))
