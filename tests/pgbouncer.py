"""A real PgBouncer (Debian's package) in transaction mode in front of a test database.

    with run_pgbouncer(database_url, tmp_dir) as url:   # the same database, through it
        ...

PgBouncer refuses to run as root: under root it switches (``-u``) to the ``postgres`` system
user (the package creates it), or to the embedded server's own user, whose data folder
holds its socket. It listens on a free loopback port and trusts the users
it is given; its files live in a folder of its own, readable by that user. Without the
binary the test is skipped, except under ``CI``, where a missing PgBouncer is a failure.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy.engine import make_url

from tests.servers import free_port

BINARY_PLACES = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
START_TIMEOUT_SECONDS = 30.0
STOP_TIMEOUT_SECONDS = 10.0
PORT_ATTEMPTS = 3
POOL_SIZE = 8
"""Server connections per (database, user): few, so a burst queues in PgBouncer and the
same server connection serves many clients in turn (what breaks named statements)."""


def pgbouncer_binary() -> str:
    """The PgBouncer to run; skipped without one (a failure under ``CI``)."""
    found = shutil.which("pgbouncer") or next(
        (place for place in BINARY_PLACES if os.access(place, os.X_OK)), None
    )
    if found is None:
        message = "pgbouncer is not installed (apt-get install -y pgbouncer)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


def server_address(url: str) -> tuple[str, int, str, str]:
    """(host or socket folder, port, user, database) of a libpq URL."""
    parsed = make_url(url)
    query_host = parse_qs(urlsplit(url).query).get("host", [None])[0]
    host = parsed.host or query_host or "127.0.0.1"
    port = parsed.port or 5432
    if host.startswith("/") and parsed.port is None:  # the socket's own port
        sockets = sorted(Path(host).glob(".s.PGSQL.*[0-9]"))
        if sockets:
            port = int(sockets[0].name.rsplit(".", 1)[1])
    return host, port, parsed.username or "postgres", parsed.database or "postgres"


def system_user(host: str) -> str:
    """Whom PgBouncer runs as under root: the owner of the server's socket folder (the
    embedded server's keeps its socket in its data folder, open to its own user only), else
    ``postgres``."""
    if host.startswith("/"):
        owner = pwd.getpwuid(Path(host).stat().st_uid).pw_name
        if owner != "root":
            return owner
    return "postgres"


def _config(folder: Path, port: int, host: str, server_port: int, user: str) -> Path:
    (folder / "users.txt").write_text(f'"{user}" ""\n')
    config = folder / "pgbouncer.ini"
    config.write_text(
        "\n".join(
            [
                "[databases]",
                f"* = host={host} port={server_port}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {folder / 'users.txt'}",
                "pool_mode = transaction",
                f"default_pool_size = {POOL_SIZE}",
                "max_client_conn = 200",
                "server_reset_query =",
                "ignore_startup_parameters = extra_float_digits",
                f"logfile = {folder / 'pgbouncer.log'}",
                f"pidfile = {folder / 'pgbouncer.pid'}",
                "",
            ]
        )
    )
    return config


def _accepting(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


@contextlib.contextmanager
def run_pgbouncer(database_url: str) -> Iterator[str]:
    """PgBouncer in transaction mode in front of ``database_url``'s server: the URL of the
    same database through it."""
    binary = pgbouncer_binary()
    host, server_port, user, database = server_address(database_url)
    folder = Path(tempfile.mkdtemp(prefix="srochno-pgbouncer-"))
    folder.chmod(0o755)
    as_root = os.geteuid() == 0
    log = folder / "pgbouncer.log"
    process: subprocess.Popen[bytes] | None = None
    try:
        for _ in range(PORT_ATTEMPTS):
            port = free_port()
            config = _config(folder, port, host, server_port, user)
            command = [binary, str(config)]
            if as_root:
                owner = pwd.getpwnam(system_user(host))
                for path in (folder, *folder.iterdir()):
                    os.chown(path, owner.pw_uid, owner.pw_gid)
                command = [binary, "-u", owner.pw_name, str(config)]
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log.open("ab")
            )
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while process.poll() is None and not _accepting(port):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"pgbouncer did not start: {log.read_text()[-2000:]}")
                time.sleep(0.05)
            if process.poll() is None:
                yield f"postgresql://{user}@127.0.0.1:{port}/{database}"
                return
            # The port was taken meanwhile: another one.
        raise RuntimeError(f"pgbouncer did not start: {log.read_text()[-2000:]}")
    finally:
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)  # immediate shutdown
            try:
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT_SECONDS)
        shutil.rmtree(folder, ignore_errors=True)
