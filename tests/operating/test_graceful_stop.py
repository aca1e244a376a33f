"""A real server process told to stop (SIGTERM) with streams open: the streams end at once
with ``retry:``, and the process exits well within ``SHUTDOWN_SECONDS``."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import httpx
import pytest

from srochno.db import plain_url
from tests.helpers import auth, create_order, recharge, scalar
from tests.notifications.conftest import add_user, delivery_statuses, queued_jobs
from tests.servers import run_servers, server_env

SHUTDOWN_SECONDS = 15
STREAMS = 4


async def test_sigterm_with_streams_open_ends_them_and_exits_at_once(database_url):
    env = {"SHUTDOWN_SECONDS": str(SHUTDOWN_SECONDS), "SSE_HEARTBEAT_SECONDS": "1"}
    with run_servers(database_url, 1, env=env, fork=False) as servers:
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


SHORT_SHUTDOWN_SECONDS = 6
PADDED_EVENTS = 900  # under the replay's limit: the stream goes on after its replay
PAD = 10_000
"""About 9 MB of replay: more than the kernel buffers of a client that reads nothing."""
INSERT_PADDED_EVENTS = """
INSERT INTO order_events (kind, payload)
SELECT 'order_updated', jsonb_build_object('id', 'pad' || g, 'pad', repeat('x', $1))
FROM generate_series(1, $2) g
"""
WAITING_ON_A_LOCK = """
SELECT count(*) FROM pg_stat_activity
WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
"""


def open_raw_stream(port: int, path: str) -> socket.socket:
    """A stream request from a client with a tiny receive window that reads nothing yet:
    the server's writes to it block once the kernel buffers are full."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n".encode())
    return sock


def read_to_end(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    parts = []
    with contextlib.suppress(OSError):
        while part := sock.recv(65536):
            parts.append(part)
    return b"".join(parts)


async def wait_for(condition: object, within: float) -> None:
    deadline = time.monotonic() + within
    while not await condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_sigterm_with_slow_readers_and_a_request_in_flight_exits_in_time(database_url):
    """SIGTERM while a take waits on a row lock, two streams' clients read slowly, one
    reads nothing at all and two read normally: the streams end with ``retry:``, the take
    is answered, and the process exits within ``SHUTDOWN_SECONDS``, however long the
    client that reads nothing would hold it."""
    env = {"SHUTDOWN_SECONDS": str(SHORT_SHUTDOWN_SECONDS), "SSE_HEARTBEAT_SECONDS": "1"}
    with run_servers(database_url, 1, env=env, fork=False) as servers:
        server = servers.servers[0]
        assert server.process is not None
        db = await asyncpg.connect(plain_url(database_url))
        slow: list[socket.socket] = []
        try:
            async with (
                httpx.AsyncClient(base_url=server.url, timeout=30, trust_env=False) as client,
                contextlib.AsyncExitStack() as stack,
            ):
                order = await create_order(client, 801)
                await recharge(client, 802, 10)
                await db.execute(INSERT_PADDED_EVENTS, PAD, PADDED_EVENTS)
                replay = "/api/orders/stream?last_event_id=0"
                slow = [open_raw_stream(server.port, replay) for _ in range(3)]
                deaf = slow.pop()  # reads nothing until the process is gone
                chunks = []
                for user_id in (811, 812):  # filtered: none of the padded events is theirs
                    response = await stack.enter_async_context(
                        client.stream(
                            "GET", "/api/orders/stream?category=plumbing", headers=auth(user_id)
                        )
                    )
                    chunk = response.aiter_bytes()
                    assert (await anext(chunk)).startswith(b": connected")
                    chunks.append(chunk)

                lock = db.transaction()
                await lock.start()
                await db.execute("SELECT FROM orders WHERE id = $1 FOR UPDATE", order["id"])
                taking = asyncio.create_task(
                    client.post(f"/api/orders/{order['id']}/take", headers=auth(802))
                )
                await wait_for(lambda: _one_waits(db), 20)

                started = time.monotonic()
                server.process.send_signal(signal.SIGTERM)

                async def rest(chunk: object) -> bytes:
                    return b"".join([part async for part in chunk])  # type: ignore[attr-defined]

                tails = await asyncio.wait_for(asyncio.gather(*(rest(c) for c in chunks)), 10)
                await lock.rollback()  # the take in hand goes on now, during the stop
                taken = await asyncio.wait_for(taking, 10)
                slow_tails = await asyncio.gather(
                    *(asyncio.to_thread(read_to_end, sock, 10) for sock in slow)
                )
                code = await asyncio.to_thread(server.process.wait, 3 * SHORT_SHUTDOWN_SECONDS)
                exited = time.monotonic() - started
                deaf.close()
        finally:
            for sock in slow:
                sock.close()
            await db.close()
    print(
        f"SIGTERM with slow readers, one deaf client and a take in hand: exited in "
        f"{exited:.2f} s (SHUTDOWN_SECONDS={SHORT_SHUTDOWN_SECONDS})"
    )
    for tail in tails:
        assert b"retry: " in tail
    assert taken.status_code == 200, taken.text
    assert taken.json()["balance"] == 8
    for tail in slow_tails:
        assert tail.startswith(b"HTTP/1.1 200")
        assert tail.count(b"event: order_updated") == PADDED_EVENTS
        assert b"retry: " in tail[-200:]
    assert exited < SHORT_SHUTDOWN_SECONDS
    assert code in (0, 128 + signal.SIGTERM, -signal.SIGTERM)


async def _one_waits(db: asyncpg.Connection) -> bool:
    return bool(await db.fetchval(WAITING_ON_A_LOCK))


def test_a_trickling_body_is_cut(database_url):
    """A client sending its body a byte at a time gets 408 and the connection closed
    after ``BODY_TIMEOUT_SECONDS``, not held for as long as it likes."""
    with run_servers(database_url, 1, env={"BODY_TIMEOUT_SECONDS": "1"}, fork=False) as servers:
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


def test_the_watchdog_ends_a_process_that_overruns_its_stop():
    """Whatever holds a stopping process (here: a loop that never ends), the watchdog
    ends it at ``SHUTDOWN_SECONDS`` with the signal's exit code."""
    stuck = "from srochno.shutdown import exit_by; exit_by(1, 143)\nwhile True: pass"
    result = subprocess.run([sys.executable, "-c", stuck], capture_output=True, timeout=60)
    assert result.returncode == 143
    assert b"stop overran SHUTDOWN_SECONDS" in result.stderr


JOB_SHUTDOWN_SECONDS = 8
SLOW_TELEGRAM_SECONDS = 2.0
"""Telegram answers the message this long after it arrives: the job is in hand meanwhile."""
SUBSCRIBER = 1
OWNER = 900


@contextlib.contextmanager
def job_runner(command: str, database_url: str, env: dict[str, str], tmp_path: Path):
    """A ``srochno worker`` process, or a ``srochno serve`` one with its in-process worker."""
    if command == "serve":
        with run_servers(database_url, 1, env=env, fork=False) as servers:
            process = servers.servers[0].process
            assert process is not None
            yield process
        return
    worker_env = server_env(database_url, {**env, "AUTO_CLOSE_INTERVAL_SECONDS": "60"}, tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "srochno", "worker"],
        env=worker_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("command", ["worker", "serve"])
async def test_a_message_in_hand_at_sigterm_is_delivered_once_and_marked(
    command, database_url, engine, client, bot_api, tmp_path
):
    """SIGTERM while a notification job waits for Telegram's answer: the worker takes no
    new job, finishes this one (the message sent once, its delivery ``sent``, the job done)
    and the process exits within ``SHUTDOWN_SECONDS``."""
    await add_user(engine, SUBSCRIBER)
    bot_api.delays["sendMessage"] = SLOW_TELEGRAM_SECONDS
    env = {"TELEGRAM_API_URL": bot_api.url, "SHUTDOWN_SECONDS": str(JOB_SHUTDOWN_SECONDS)}
    with job_runner(command, database_url, env, tmp_path) as process:
        await create_order(client, OWNER)  # its announcement is queued with it
        await bot_api.until("sendMessage", 1, within=120)  # in hand: Telegram is answering
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.to_thread(process.wait, 3 * JOB_SHUTDOWN_SECONDS)
        exited = time.monotonic() - started
    print(f"{command}: a job in hand at SIGTERM, exited in {exited:.2f} s")
    assert code in (0, 128 + signal.SIGTERM, -signal.SIGTERM)
    assert exited < JOB_SHUTDOWN_SECONDS
    assert [c.params["chat_id"] for c in bot_api.calls_of("sendMessage")] == [SUBSCRIBER]
    assert set((await delivery_statuses(engine)).values()) == {"sent"}
    assert await queued_jobs(engine) == 0  # done, not left to be handed out again
    logged = await scalar(engine, "SELECT array_agg(DISTINCT status::text) FROM pgqueuer_log")
    assert set(logged) - {"queued", "picked"} == {"successful"}, logged
