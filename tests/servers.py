"""Real ``srochno serve`` processes for tests: N servers on free loopback ports, one database.

    with run_servers(database_url, 2) as servers:
        servers.urls            # ["http://127.0.0.1:PORT", ...], each /health is healthy
        servers.clients()       # an httpx.AsyncClient for each (closed by the caller)
        servers.kill(0)         # SIGKILL, as a crash would
        servers.restart(0)      # the same port again, waits until healthy

Every process is stopped (SIGTERM, then SIGKILL) when the block ends. The servers are forks
of a preloaded parent (``tests/prefork.py``); ``fork=False`` starts the real command line, for
the tests of the process's own life.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests import prefork
from tests.helpers import TEST_BOT_TOKEN

# Generous: importing the application takes seconds of CPU, and parallel test workers start
# servers at the same time on a shared machine. Only a hung start should reach it.
START_TIMEOUT_SECONDS = 180.0
STOP_TIMEOUT_SECONDS = 15.0
POLL_SECONDS = 0.1
PORT_ATTEMPTS = 3
# A server's default pool holds 2 × DB_POOL_SIZE (10) connections.
CLIENT_CONNECTIONS = 20
CLIENT_TIMEOUT_SECONDS = 60.0
KEEPALIVE_SECONDS = 1.0

# Variables of the surrounding shell that would change what the servers do.
INHERITED_PREFIXES = (
    "TELEGRAM_",
    "DATABASE_",
    "TEST_DATABASE_",
    "RATE_",
    "REDIS_",
    "SSE_",
    "FORWARDED_",
)
INHERITED_NAMES = (
    "ENVIRONMENT",
    "DATA_DIR",
    "MIGRATE_ON_START",
    "SECRET_KEY",
    "MAX_ACTIVE_ORDERS_PER_CLIENT",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(database_url: str, extra: Mapping[str, str], data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(INHERITED_PREFIXES) and key not in INHERITED_NAMES
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "TELEGRAM_BOT_TOKEN": TEST_BOT_TOKEN,
            "DEV_RECHARGE": "true",  # a fixed test token, not the generated one
            "AUTO_CLOSE_INTERVAL_SECONDS": "0",
            "TELEGRAM_API_URL": "http://127.0.0.1:9",  # nothing there: never Telegram
            "LOG_LEVEL": "WARNING",
            "DATA_DIR": str(data_dir),
            "PYTHONUNBUFFERED": "1",
            # The limits run, but only the tests of the limits trip them.
            "RATE_CREATE_PER_HOUR": "1000000",
            "RATE_TAKE_PER_MINUTE": "1000000",
            "RATE_INVOICE_PER_MINUTE": "1000000",
            "RATE_IP_PER_MINUTE": "1000000",
            "MAX_ACTIVE_ORDERS_PER_CLIENT": "1000000",
        }
    )
    env.update(extra)
    return env


@dataclass
class Server:
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | prefork.Forked | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, limit: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-limit:]
        except FileNotFoundError:
            return ""

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@dataclass
class ServerGroup:
    """Server processes sharing one database; index ``i`` keeps its port across restarts."""

    database_url: str
    env: dict[str, str]
    workdir: Path
    args: Sequence[str] = ()
    fork: bool = True
    servers: list[Server] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    def clients(
        self, *, max_connections: int = CLIENT_CONNECTIONS, timeout: float = CLIENT_TIMEOUT_SECONDS
    ) -> list[httpx.AsyncClient]:
        """One new HTTP client per server (the caller closes them), each sending at most
        ``max_connections`` requests at once so a server's pool is never overrun."""
        # A kept-alive connection is dropped before uvicorn's keep-alive timeout (5 s, which is
        # httpx's default expiry too): a request never meets a connection the server closes.
        limits = httpx.Limits(max_connections=max_connections, keepalive_expiry=KEEPALIVE_SECONDS)
        return [
            httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, trust_env=False)
            for url in self.urls
        ]

    def start(self, count: int) -> None:
        """Add ``count`` servers, started together, and wait until all are healthy."""
        first = len(self.servers)
        for index in range(first, first + count):
            self.servers.append(Server(free_port(), self.workdir / f"server-{index}.log"))
        self._launch_and_wait(range(first, first + count), new_ports=True)

    def kill(self, index: int) -> None:
        """SIGKILL one server: no graceful shutdown, open requests are cut."""
        process = self.servers[index].process
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def restart(self, index: int) -> None:
        """Start a stopped (or killed) server again on its port, and wait until healthy."""
        self.kill(index)
        self._launch_and_wait([index], new_ports=False)

    def stop(self) -> None:
        for server in self.servers:
            if server.running():
                assert server.process is not None
                server.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for server in self.servers:
            if server.process is None:
                continue
            try:
                server.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait(timeout=STOP_TIMEOUT_SECONDS)

    def _spawn(self, server: Server) -> None:
        argv = [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(server.port),
            "--no-migrate",
            *self.args,
        ]
        if self.fork:
            server.process = prefork.spawn(
                argv, cwd=self.workdir, env=self.env, log_path=server.log_path
            )
            return
        with server.log_path.open("ab") as log:
            server.process = subprocess.Popen(
                [sys.executable, "-m", "srochno", *argv],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def _launch_and_wait(self, indexes: Sequence[int], *, new_ports: bool) -> None:
        """Start the servers together and wait for all; a port taken meanwhile by another
        program is replaced by a fresh one (only for new servers)."""
        pending = list(indexes)
        for attempt in range(PORT_ATTEMPTS):
            for index in pending:
                self._spawn(self.servers[index])
            failed = self._wait_healthy(pending)
            if not failed:
                return
            in_use = [i for i in failed if "address already in use" in self._log_of(i).lower()]
            if not new_ports or in_use != failed or attempt == PORT_ATTEMPTS - 1:
                break
            for index in failed:
                self.servers[index].port = free_port()
            pending = failed
        details = "\n".join(
            f"--- server {i} ({self.servers[i].url}) ---\n{self.servers[i].log_tail()}"
            for i in pending
        )
        raise RuntimeError(f"server(s) did not become healthy:\n{details}")

    def _log_of(self, index: int) -> str:
        return self.servers[index].log_tail()

    def _wait_healthy(self, indexes: Sequence[int]) -> list[int]:
        """Indexes of the servers that exited or stayed unhealthy until the deadline."""
        waiting = set(indexes)
        failed: list[int] = []
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        with httpx.Client(timeout=2.0, trust_env=False) as client:
            while waiting and time.monotonic() < deadline:
                for index in sorted(waiting):
                    server = self.servers[index]
                    if not server.running():
                        waiting.discard(index)
                        failed.append(index)
                        continue
                    with contextlib.suppress(httpx.HTTPError):
                        response = client.get(f"{server.url}/health")
                        if response.status_code == 200 and response.json() == {"status": "healthy"}:
                            waiting.discard(index)
                if waiting:
                    time.sleep(POLL_SECONDS)
        for index in waiting:
            self.kill(index)
            failed.append(index)
        return sorted(failed)


@contextlib.contextmanager
def run_servers(
    database_url: str,
    count: int = 1,
    *,
    env: Mapping[str, str] | None = None,
    args: Sequence[str] = (),
    fork: bool = True,
) -> Iterator[ServerGroup]:
    """``count`` healthy ``srochno serve`` processes on ``database_url`` (already migrated),
    with ``env`` added to their environment and ``args`` to their command line."""
    with tempfile.TemporaryDirectory(prefix="srochno-servers-") as workdir:
        root = Path(workdir)
        group = ServerGroup(
            database_url=database_url,
            env=server_env(database_url, env or {}, root / "data"),
            workdir=root,
            args=args,
            fork=fork,
        )
        try:
            group.start(count)
            yield group
        finally:
            group.stop()
