from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from srochno.state import DatabaseDep

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
