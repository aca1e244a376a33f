"""What a server process runs for the live feed and the limits: started and stopped by
the application's lifespan."""

from __future__ import annotations

from fastapi import FastAPI

from srochno.config import Settings
from srochno.db import plain_url
from srochno.events.hub import EventHub
from srochno.ratelimit import Limiter


async def start_live(app: FastAPI, settings: Settings, url: str) -> EventHub:
    """The process's rate limiter, and its event listener (one LISTEN connection)."""
    app.state.limiter = Limiter.from_settings(settings)
    hub = EventHub(plain_url(url), settings.no_response_timeout)
    app.state.hub = hub
    hub.start()
    return hub
