"""A database that refuses the service is an outage, whatever form the refusal takes
(SPEC §3, §9): each endpoint answers 503 ``database_unavailable`` (``/health`` 503
unhealthy), never 500, and the same server process answers 200 again once the database
takes it back.

The faults are done to a database and a role of this test's own (it breaks them), on the
server the suite uses, by SQL an operator would run: connections disallowed, the CONNECT
privilege revoked, the role's login or connection limit taken away, the database renamed.
Each begins by terminating the service's backends, so the next request must reconnect.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from srochno.db import plain_url
from srochno.migrations import upgrade
from tests.faults.support import UNAVAILABLE, server_logs_on_failure
from tests.helpers import ORDER, auth
from tests.servers import run_servers

USER = 9501
DEADLINE_SECONDS = 20.0
POLL_SECONDS = 0.1
REQUEST_TIMEOUT_SECONDS = 30.0
# A refused connection is refused at once; far above that, still a bound against hangs.
FAILURE_BOUND_SECONDS = 10.0
HEALTHY = (200, {"status": "healthy"})
UNHEALTHY = (503, {"status": "unhealthy"})


@dataclass
class Sandbox:
    """A database owned by a role, both made for one test and dropped after it."""

    maintenance: str  # libpq URL of the server's maintenance database, as a superuser
    database: str
    role: str
    url: str  # the service's DATABASE_URL: the role on the database

    async def admin(self, *statements: str) -> None:
        conn = await asyncpg.connect(self.maintenance)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def backends(self, datname: str | None = None) -> list[int]:
        conn = await asyncpg.connect(self.maintenance)
        try:
            rows = await conn.fetch(
                "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()"
                " AND backend_type = 'client backend'",  # autovacuum may come and go
                datname or self.database,
            )
        finally:
            await conn.close()
        return [row["pid"] for row in rows]

    async def terminate_backends(self, datname: str | None = None) -> None:
        """Terminate every session on the database and wait until none is left (a
        terminated backend takes a moment to go; a reconnect may slip in before the fault
        took effect, so this repeats until the database stays empty)."""
        name = datname or self.database
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            pids = await self.backends(name)
            if not pids:
                return
            assert time.monotonic() < deadline, f"backends of {name} stay: {pids}"
            await self.admin(*(f"SELECT pg_terminate_backend({pid})" for pid in pids))
            await asyncio.sleep(POLL_SECONDS)


@pytest.fixture
async def sandbox(server_url: str) -> AsyncIterator[Sandbox]:
    suffix = uuid.uuid4().hex[:10]
    database, role = f"srochno_outage_{suffix}", f"srochno_outage_{suffix}"
    maintenance = plain_url(server_url)
    url = (
        make_url(maintenance)
        .set(username=role, password=f"pw-{suffix}", database=database)
        .render_as_string(hide_password=False)
    )
    box = Sandbox(maintenance, database, role, url)
    await box.admin(
        f"CREATE ROLE \"{role}\" LOGIN PASSWORD 'pw-{suffix}'",
        f'CREATE DATABASE "{database}" OWNER "{role}"',
    )
    try:
        await asyncio.to_thread(upgrade, url)  # the role owns the schema, as in production
        yield box
    finally:
        await box.admin(
            f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)',
            f'DROP DATABASE IF EXISTS "{database}_moved" WITH (FORCE)',
            f'DROP ROLE IF EXISTS "{role}"',
        )


async def answers(client: httpx.AsyncClient, order_id: str) -> dict[str, tuple[int, Any]]:
    """One request of each kind: health, an authenticated read and write, public reads."""
    requests: dict[str, Callable[[], Awaitable[httpx.Response]]] = {
        "health": lambda: client.get("/health"),
        "me": lambda: client.get("/api/users/me", headers=auth(USER)),
        "create": lambda: client.post("/api/orders", json=ORDER, headers=auth(USER)),
        "list": lambda: client.get("/api/orders"),
        "order": lambda: client.get(f"/api/orders/{order_id}"),
        "reviews": lambda: client.get("/api/reviews"),
    }
    result: dict[str, tuple[int, Any]] = {}
    for kind, send in requests.items():
        started = time.monotonic()
        response = await send()
        elapsed = time.monotonic() - started
        assert elapsed < FAILURE_BOUND_SECONDS, f"{kind} took {elapsed:.1f} s"
        try:
            body = response.json()
        except ValueError:
            body = response.text[:200]
        result[kind] = (response.status_code, body)
    return result


def all_unavailable(result: dict[str, tuple[int, Any]]) -> bool:
    return all(
        answer == (UNHEALTHY if kind == "health" else (503, UNAVAILABLE))
        for kind, answer in result.items()
    )


def all_served(result: dict[str, tuple[int, Any]]) -> bool:
    expected = {"health": 200, "me": 200, "create": 201, "list": 200, "order": 200, "reviews": 200}
    return result["health"] == HEALTHY and all(
        result[kind][0] == status for kind, status in expected.items()
    )


@dataclass
class Fault:
    name: str
    break_sql: Callable[[Sandbox], list[str]]
    restore_sql: Callable[[Sandbox], list[str]]


FAULTS = [
    Fault(
        "connections disallowed",
        lambda b: [f'ALTER DATABASE "{b.database}" ALLOW_CONNECTIONS false'],
        lambda b: [f'ALTER DATABASE "{b.database}" ALLOW_CONNECTIONS true'],
    ),
    Fault(
        "connect privilege revoked",
        lambda b: [f'REVOKE CONNECT ON DATABASE "{b.database}" FROM PUBLIC, "{b.role}"'],
        lambda b: [f'GRANT CONNECT ON DATABASE "{b.database}" TO PUBLIC, "{b.role}"'],
    ),
    Fault(
        "login taken away",
        lambda b: [f'ALTER ROLE "{b.role}" NOLOGIN'],
        lambda b: [f'ALTER ROLE "{b.role}" LOGIN'],
    ),
    Fault(
        "connection limit 0",
        lambda b: [f'ALTER ROLE "{b.role}" CONNECTION LIMIT 0'],
        lambda b: [f'ALTER ROLE "{b.role}" CONNECTION LIMIT -1'],
    ),
]


async def rename(box: Sandbox, source: str, target: str) -> None:
    """Rename a database, which no session may be on: connections are disallowed first so
    the service cannot come back in between, and a late session (autovacuum) is waited out."""
    await box.admin(f'ALTER DATABASE "{source}" ALLOW_CONNECTIONS false')
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        await box.terminate_backends(source)
        try:
            await box.admin(f'ALTER DATABASE "{source}" RENAME TO "{target}"')
            break
        except asyncpg.ObjectInUseError:
            assert time.monotonic() < deadline, f"{source} stays in use"
            await asyncio.sleep(POLL_SECONDS)
    await box.admin(f'ALTER DATABASE "{target}" ALLOW_CONNECTIONS true')


async def rename_away(box: Sandbox) -> None:
    await rename(box, box.database, f"{box.database}_moved")


async def rename_back(box: Sandbox) -> None:
    await rename(box, f"{box.database}_moved", box.database)


async def recovered(client: httpx.AsyncClient, order_id: str) -> dict[str, tuple[int, Any]]:
    """The answers once every kind is served again, or the last ones at the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        result = await answers(client, order_id)
        if all_served(result) or time.monotonic() > deadline:
            return result
        await asyncio.sleep(POLL_SECONDS)


async def break_by_sql(box: Sandbox, fault: Fault) -> None:
    await box.admin(*fault.break_sql(box))
    await box.terminate_backends()


async def test_every_refusal_is_503_and_the_process_recovers(sandbox: Sandbox):
    steps: list[tuple[str, Callable[[], Awaitable[None]], Callable[[], Awaitable[None]]]] = [
        (
            fault.name,
            functools.partial(break_by_sql, sandbox, fault),
            functools.partial(sandbox.admin, *fault.restore_sql(sandbox)),
        )
        for fault in FAULTS
    ]
    steps.append(
        (
            "database renamed",
            functools.partial(rename_away, sandbox),
            functools.partial(rename_back, sandbox),
        )
    )
    with run_servers(sandbox.url, 1) as servers, server_logs_on_failure(servers):
        process = servers.servers[0].process
        assert process is not None
        async with httpx.AsyncClient(
            base_url=servers.urls[0], timeout=REQUEST_TIMEOUT_SECONDS, trust_env=False
        ) as client:
            created = await client.post("/api/orders", json=ORDER, headers=auth(USER))
            assert created.status_code == 201, created.text
            order_id = created.json()["id"]
            assert all_served(await answers(client, order_id))
            for name, breaks, restores in steps:
                await breaks()
                try:
                    # Twice: the first request of each kind may meet a terminated
                    # connection still in the pool, the second meets a fresh refusal.
                    for attempt in range(2):
                        result = await answers(client, order_id)
                        assert all_unavailable(result), (name, attempt, result)
                finally:
                    await restores()
                result = await recovered(client, order_id)
                assert all_served(result), (name, "no recovery", result)
                assert process.poll() is None, f"{name}: the server process exited"
        assert servers.servers[0].process is process  # never restarted
