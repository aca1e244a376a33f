"""A real server process told to stop (SIGTERM) with streams open: the streams end at once
with ``retry:``, and the process exits well within ``SHUTDOWN_SECONDS``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import time

import httpx

from tests.helpers import auth
from tests.servers import run_servers

SHUTDOWN_SECONDS = 15
STREAMS = 4


async def test_sigterm_with_streams_open_ends_them_and_exits_at_once(database_url):
    env = {"SHUTDOWN_SECONDS": str(SHUTDOWN_SECONDS), "SSE_HEARTBEAT_SECONDS": "1"}
    with run_servers(database_url, 1, env=env) as servers:
        server = servers.servers[0]
        assert server.process is not None
        async with (
            httpx.AsyncClient(base_url=server.url, timeout=30, trust_env=False) as client,
            contextlib.AsyncExitStack() as stack,
        ):
            chunks = []
            for i in range(STREAMS):
                path = "/api/orders/stream" if i % 2 else "/api/users/me/stream"
                response = await stack.enter_async_context(
                    client.stream("GET", path, headers=auth(700 + i))
                )
                assert response.status_code == 200
                chunk = response.aiter_bytes()
                assert (await anext(chunk)).startswith(b": connected")
                chunks.append(chunk)

            started = time.monotonic()
            server.process.send_signal(signal.SIGTERM)

            async def rest(chunk: object) -> bytes:
                return b"".join([part async for part in chunk])  # type: ignore[attr-defined]

            tails = await asyncio.wait_for(asyncio.gather(*(rest(c) for c in chunks)), 10)
            ended = time.monotonic() - started
            code = await asyncio.to_thread(server.process.wait, SHUTDOWN_SECONDS)
            exited = time.monotonic() - started
    for tail in tails:
        assert b"retry: " in tail  # the client reconnects (elsewhere, or after the restart)
    print(
        f"SIGTERM with {STREAMS} streams open: streams ended in {ended:.2f} s, "
        f"exited in {exited:.2f} s"
    )
    assert ended < 2
    assert exited < SHUTDOWN_SECONDS / 3
    assert code in (0, 128 + signal.SIGTERM, -signal.SIGTERM)


def test_a_trickling_body_is_cut(database_url):
    """A client sending its body a byte at a time gets 408 and the connection closed
    after ``BODY_TIMEOUT_SECONDS``, not held for as long as it likes."""
    with run_servers(database_url, 1, env={"BODY_TIMEOUT_SECONDS": "1"}) as servers:
        port = servers.servers[0].port
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(
                b"POST /api/orders HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                b"Content-Length: 200\r\n\r\n{"
            )
            started = time.monotonic()
            answer = b""
            for _ in range(6):  # a byte every 0.5 s: never done before the cut
                time.sleep(0.5)
                with contextlib.suppress(OSError):
                    sock.sendall(b" ")
            sock.settimeout(5)
            with contextlib.suppress(OSError):
                while part := sock.recv(4096):
                    answer += part
            elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
    assert b'"code":"request_timeout"' in answer
    assert elapsed < 8  # cut (connection closed), not waiting for the rest of the body
