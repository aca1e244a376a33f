"""Limits shared by real server processes, and whose address counts (SPEC §15)."""

from __future__ import annotations

import asyncio
import random
import time

import asyncpg
import httpx
import pytest

from srochno.db import plain_url
from tests.servers import run_servers


def random_ip() -> str:
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def forget_counts(database_url: str) -> None:
    """The servers' health checks on start-up were counted for 127.0.0.1 too."""

    async def delete() -> None:
        conn = await asyncpg.connect(plain_url(database_url))
        try:
            await conn.execute("DELETE FROM rate_limit_windows")
        finally:
            await conn.close()

    asyncio.run(delete())


def away_from_the_minute_end() -> None:
    """The counts below must fall in one fixed minute window (real time, real servers)."""
    left = 60 - time.time() % 60
    if left < 20:
        time.sleep(left + 0.5)


@pytest.mark.parametrize("store", ["postgres", "redis"])
def test_two_processes_share_exact_counts(database_url: str, store: str) -> None:
    env = {"RATE_IP_PER_MINUTE": "10"}
    if store == "redis":
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
    with run_servers(database_url, 2, env=env) as group:
        # The servers trust 127.0.0.1 (the default FORWARDED_ALLOW_IPS): this test's own
        # client address, new each run, so nothing else shares its bucket.
        client_ip = random_ip()
        headers = {"X-Forwarded-For": client_ip}
        clients = [httpx.Client(base_url=url, timeout=30, trust_env=False) for url in group.urls]
        try:
            away_from_the_minute_end()
            statuses = [
                clients[n % 2].get("/api/orders", headers=headers).status_code for n in range(10)
            ]
            assert statuses == [200] * 10
            refused = [clients[n].get("/api/orders", headers=headers) for n in (0, 1)]
            assert [r.status_code for r in refused] == [429, 429]
            for response in refused:
                assert response.json()["code"] == "rate_limited"
                assert 1 <= int(response.headers["Retry-After"]) <= 60
            other = {"X-Forwarded-For": random_ip()}
            assert clients[1].get("/api/orders", headers=other).status_code == 200
        finally:
            for client in clients:
                client.close()


def test_forwarded_headers_count_only_from_a_trusted_proxy(database_url: str) -> None:
    env = {"RATE_IP_PER_MINUTE": "3"}
    with (
        run_servers(database_url, 1, env={**env, "FORWARDED_ALLOW_IPS": "10.9.9.9"}) as untrusted,
        run_servers(database_url, 1, env=env) as trusted,
    ):
        away_from_the_minute_end()
        forget_counts(database_url)
        with httpx.Client(base_url=untrusted.urls[0], timeout=30, trust_env=False) as client:
            statuses = [
                client.get("/api/orders", headers={"X-Forwarded-For": random_ip()}).status_code
                for _ in range(4)
            ]
        # Our address (127.0.0.1) is not the named proxy: its header is ignored, one bucket.
        assert statuses == [200, 200, 200, 429]
        assert "FORWARDED_ALLOW_IPS" in untrusted.servers[0].log_tail()
        with httpx.Client(base_url=trusted.urls[0], timeout=30, trust_env=False) as client:
            statuses = [
                client.get("/api/orders", headers={"X-Forwarded-For": random_ip()}).status_code
                for _ in range(4)
            ]
        assert statuses == [200] * 4  # a client address per request: a bucket each
