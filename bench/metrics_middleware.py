"""CPU added per request by the request's edge (its id, access line, metrics and body
limits; no rate limiter), measured in isolation.

    python bench/metrics_middleware.py [--requests 200000]

The edge wraps an ASGI app that answers at once (a route template in the scope, as
FastAPI leaves it); the same calls without it are the baseline. The difference is the
edge's own cost, free of the noise of a whole request. Run it
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


def new_scope() -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": "/x", "headers": []}


async def endpoint(scope: dict[str, Any], receive: Any, send: Any) -> None:
    scope["route"] = ROUTE
    await send(dict(START))
    await send(BODY)


async def run(app: Any, count: int) -> float:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        return None

    for _ in range(1000):  # warm up
        await app(new_scope(), receive, send)
    started = time.process_time()
    for _ in range(count):
        await app(new_scope(), receive, send)
    return 1e6 * (time.process_time() - started) / count


async def main(count: int) -> None:
    from srochno.edge import RequestEdge

    edge = RequestEdge(
        endpoint, limiter_of=lambda app: None, database_of=lambda app: None, body_timeout=10
    )
    bare = min([await run(endpoint, count) for _ in range(3)])
    wrapped = min([await run(edge, count) for _ in range(3)])
    print(
        json.dumps(
            {
                "multiprocess": bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR")),
                "bare_us": round(bare, 2),
                "with_edge_us": round(wrapped, 2),
                "overhead_us": round(wrapped - bare, 2),
            }
        )
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200_000)
    asyncio.run(main(parser.parse_args().requests))
