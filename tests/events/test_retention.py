"""Old events are forgotten after ORDER_EVENTS_RETENTION_HOURS, by the clean-up and by the
replay alike."""

from __future__ import annotations

from datetime import timedelta

import httpx
from fastapi import FastAPI

from srochno import clock
from srochno.events import repository
from srochno.worker.cleanups import run_cleanups
from tests.helpers import create_order


async def test_events_past_the_retention_are_deleted(
    client: httpx.AsyncClient, app: FastAPI
) -> None:
    await create_order(client, 31)
    async with app.state.db.connection() as conn:
        since = clock.now() - timedelta(hours=24)
        assert len(await repository.public_after(conn, 0, since, None, None, 100)) == 1
        assert (await run_cleanups(app.state.db, app.state.settings))["order events"] == 0
        clock.advance(timedelta(hours=25))
        later = clock.now() - timedelta(hours=24)
        assert await repository.public_after(conn, 0, later, None, None, 100) == []
        assert (await run_cleanups(app.state.db, app.state.settings))["order events"] == 1
        assert await conn.fetchval("SELECT count(*) FROM order_events") == 0
