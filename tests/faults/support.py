"""What the fault tests share: a cuttable proxy on its own thread (so server processes can
reach the database while the test blocks), ``srochno`` subprocesses, answers recorded."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests import prefork
from tests.proxy import Proxy, server_address
from tests.servers import ServerGroup, server_env

SROCHNO = [sys.executable, "-m", "srochno"]
AUDIT_TIMEOUT_SECONDS = 180.0  # a start-up included: only a hung audit should reach it
STOP_TIMEOUT_SECONDS = 15.0
UNAVAILABLE = {
    "detail": "The database is unavailable, try again shortly",
    "code": "database_unavailable",
}


class ThreadedProxy:
    """:class:`tests.proxy.Proxy` served by an event loop of its own thread: it keeps
    forwarding while the test's loop is blocked (``run_servers`` waits synchronously)."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._proxy = Proxy(server_address(database_url))
        self.up = False

    @property
    def url(self) -> str:
        """The database URL through the proxy."""
        return self._proxy.url(self._database_url)

    def _call(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=30)

    def start(self) -> None:
        if not self._thread.is_alive():
            self._thread.start()
        self._call(self._proxy.start())
        self.up = True

    def cut(self) -> None:
        self._call(self._proxy.cut())
        self.up = False

    def close(self) -> None:
        if self.up:
            self.cut()

        async def cancel_all() -> None:
            current = asyncio.current_task()
            tasks = [task for task in asyncio.all_tasks() if task is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        self._call(cancel_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


@contextlib.contextmanager
def threaded_proxy(database_url: str) -> Iterator[ThreadedProxy]:
    proxy = ThreadedProxy(database_url)
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.close()


def tool_env(database_url: str, workdir: Path, extra: Mapping[str, str] | None = None) -> dict:
    """The environment of a ``srochno`` command on ``database_url`` (no migration)."""
    return server_env(
        database_url, {"MIGRATE_ON_START": "false", **(extra or {})}, workdir / "data"
    )


def run_audit(database_url: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    """``srochno audit`` as an operator runs it."""
    return prefork.run(
        ["audit"], cwd=workdir, env=tool_env(database_url, workdir), timeout=AUDIT_TIMEOUT_SECONDS
    )


def assert_audit_clean(database_url: str, workdir: Path) -> None:
    result = run_audit(database_url, workdir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "audit: clean" in result.stdout, result.stdout


@dataclass
class Worker:
    process: prefork.Forked
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def run_workers(
    database_url: str, count: int, workdir: Path, env: Mapping[str, str]
) -> Iterator[list[Worker]]:
    """``count`` ``srochno worker`` processes (forks of a preloaded parent: ``tests/prefork.py``);
    stopped with SIGINT (then SIGKILL) at the end."""
    workers: list[Worker] = []
    try:
        for index in range(count):
            log_path = workdir / f"worker-{index}.log"
            process = prefork.spawn(
                ["worker"], cwd=workdir, env=tool_env(database_url, workdir, env), log_path=log_path
            )
            workers.append(Worker(process, log_path))
        yield workers
    finally:
        stop_workers(workers)


def stop_workers(workers: Sequence[Worker]) -> None:
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    for worker in workers:
        try:
            worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=STOP_TIMEOUT_SECONDS)


async def rows(engine: AsyncEngine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in (await connection.execute(text(sql), params)).all()]


def answer_code(response: httpx.Response) -> str:
    """The error ``code`` of an answer, ``charged``/``replayed`` for a 200 take, or a mark
    saying the body is not the JSON error shape."""
    try:
        body = response.json()
    except ValueError:
        return f"not json: {response.text[:120]!r}"
    if not isinstance(body, dict):
        return f"not an object: {str(body)[:120]}"
    if "replayed" in body:
        return "replayed" if body["replayed"] else "charged"
    return str(body.get("code", "ok" if response.is_success else f"no code: {body}"))


@contextlib.contextmanager
def server_logs_on_failure(servers: ServerGroup) -> Iterator[None]:
    """Add the servers' log tails to an assertion that fails inside the block."""
    try:
        yield
    except AssertionError as error:
        tails = "\n".join(
            f"--- server {i} ---\n{server.log_tail()}" for i, server in enumerate(servers.servers)
        )
        raise AssertionError(f"{error}\n{tails}") from error


async def fund(
    clients: Sequence[httpx.AsyncClient], users: Sequence[int], amount: int, at_once: int = 10
) -> None:
    """Create the users with ``amount`` on their balance, ``at_once`` requests at a time,
    spread over the clients."""
    from tests.helpers import recharge

    for start in range(0, len(users), at_once):
        batch = users[start : start + at_once]
        await asyncio.gather(
            *(recharge(clients[i % len(clients)], user, amount) for i, user in enumerate(batch))
        )
