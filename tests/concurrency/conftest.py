"""Fixtures for the race tests: an application with a connection pool large enough that
every racing request holds its own PostgreSQL connection, and two real server processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from srochno.app import create_app
from srochno.state import app_engine
from tests.conftest import make_settings
from tests.servers import ServerGroup, run_servers

# ``db_pool_size`` allows up to twice as many connections. The in-process application opens
# up to 20: wider races queue for a connection, as requests do in production; each server
# process opens one per request of its half of a race.
RACE_POOL_SIZE = 10
"""Up to 20 transactions at once: races enough on two cores, and room on a server with the
default 100 connections shared by a parallel run's workers."""
SERVER_POOL_SIZE = 10
SERVER_COUNT = 2
REQUEST_TIMEOUT_SECONDS = 60.0


@pytest.fixture
async def race_app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(
        make_settings(database_url, db_pool_size=RACE_POOL_SIZE), run_jobs=False
    )
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
def race_engine(race_app: FastAPI) -> AsyncEngine:
    engine: AsyncEngine = app_engine(race_app)
    return engine


@pytest.fixture
async def race_client(race_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=race_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://srochno.test", timeout=REQUEST_TIMEOUT_SECONDS
    ) as client:
        yield client


@pytest.fixture(scope="module")
def servers(database_url: str) -> Iterator[ServerGroup]:
    with run_servers(
        database_url, SERVER_COUNT, env={"DB_POOL_SIZE": str(SERVER_POOL_SIZE)}
    ) as group:
        yield group


@pytest.fixture
async def server_clients(servers: ServerGroup) -> AsyncIterator[list[httpx.AsyncClient]]:
    clients = servers.clients(max_connections=2 * SERVER_POOL_SIZE)
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()
