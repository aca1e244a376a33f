"""The live feed a server process runs: started and stopped by the application's
lifespan."""

from __future__ import annotations

from srochno.config import Settings
from srochno.db import plain_url
from srochno.events.hub import EventHub


def start_live(settings: Settings, url: str) -> EventHub:
    """The process's event listener (one LISTEN connection, never through a pooler),
    started."""
    hub = EventHub(plain_url(settings.direct_url(url)), settings.no_response_timeout)
    hub.start()
    return hub
