from __future__ import annotations

import asyncio
import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from srochno.db import is_outage

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
async def health(request: Request) -> JSONResponse:
    """Healthy only after a round trip to the database."""
    try:
        async with asyncio.timeout(HEALTH_TIMEOUT_SECONDS):
            async with request.app.state.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    except Exception as error:
        if not is_outage(error):
            raise
        logger.warning("health check failed: %s", type(error).__name__)
        return JSONResponse({"status": "unhealthy"}, status_code=503)
    return JSONResponse({"status": "healthy"})
