"""Health for load balancers and orchestrators: ``/health`` (the database, SPEC §9),
``/health/live`` (the process answers) and ``/health/ready`` (the database, the process's
event listener and, where the process runs one, its in-process worker's heartbeat)."""

from __future__ import annotations

import asyncio
import logging
from typing import cast

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from srochno.db import Database
from srochno.events.hub import EventHub
from srochno.state import DatabaseDep
from srochno.worker.heartbeat import Heartbeat

router = APIRouter(tags=["service"])
# A load balancer wants a quick answer: a database that does not answer within this is down.
HEALTH_TIMEOUT_SECONDS = 3.0
logger = logging.getLogger(__name__)


class Health(BaseModel):
    status: str


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "The database is unreachable"}},
)
async def health(db: DatabaseDep) -> JSONResponse:
    """Healthy only after a round trip to the database. Never a 500: whatever stops that
    round trip, the answer is 503 unhealthy."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), db.connection() as conn:
            await conn.fetchval("SELECT 1")
    except Exception as error:
        logger.warning("health check failed: %s", type(error).__name__)
        return JSONResponse({"status": "unhealthy"}, status_code=503)
    return JSONResponse({"status": "healthy"})


class Readiness(BaseModel):
    status: str
    """``ready`` or ``not_ready``."""
    checks: dict[str, str]
    """``database``, ``listener``, ``worker``: ``ok``, ``down``, or for the worker
    ``elsewhere`` (this process does not run it: another process holds it, or
    ``--no-worker``)."""
    failing: list[str]


@router.get("/health/live", response_model=Health)
async def live() -> JSONResponse:
    """The process answers (liveness): nothing else is looked at, so a database outage
    does not get every server restarted."""
    return JSONResponse({"status": "alive"})


@router.get(
    "/health/ready",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "Something this process needs is down"}},
)
async def ready(request: Request, db: DatabaseDep) -> JSONResponse:
    """Ready to serve (readiness): 200 only when the database answers, the event
    listener holds its connection and the in-process worker (when this process runs it)
    beat recently; else 503 naming what is not alive."""
    checks = {
        "database": "ok" if await _database_answers(db) else "down",
        "listener": "ok" if _hub(request).listening else "down",
        "worker": _worker(request),
    }
    failing = [name for name, state in checks.items() if state == "down"]
    body = {"status": "not_ready" if failing else "ready", "checks": checks, "failing": failing}
    return JSONResponse(body, status_code=503 if failing else 200)


async def _database_answers(db: Database) -> bool:
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS), db.connection() as conn:
            await conn.fetchval("SELECT 1")
    except Exception as error:
        logger.warning("readiness: database check failed: %s", type(error).__name__)
        return False
    return True


def _hub(request: Request) -> EventHub:
    return cast(EventHub, request.app.state.hub)


def _worker(request: Request) -> str:
    heartbeat = cast(Heartbeat | None, getattr(request.app.state, "worker_heartbeat", None))
    if heartbeat is None or not heartbeat.running:
        return "elsewhere"
    return "ok" if heartbeat.alive() else "down"
