"""The command line as a developer uses it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from srochno.auth.telegram import validate_init_data
from srochno.cli import main

SRCHNO = [sys.executable, "-m", "srochno"]
# Start-ups import the application (seconds of CPU); on a busy machine running the tests in
# parallel workers they take far longer. Only a hung process should reach these.
START_TIMEOUT_SECONDS = 180
TOOL_SECONDS = 180


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    env.pop("ENVIRONMENT", None)
    env.update({"DATA_DIR": str(tmp_path / "data"), "LOG_LEVEL": "WARNING", **extra})
    return env


def test_initdata_prints_a_valid_signed_string(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:secret-token")
    monkeypatch.delenv("TELEGRAM_BOT_ID", raising=False)
    assert main(["initdata", "--user-id", str(2**40), "--first-name", "Иван"]) == 0
    out, err = capsys.readouterr()
    raw = out.strip()
    data = validate_init_data(
        raw, bot_token="123:secret-token", max_age_seconds=60, now=time.time()
    )
    assert data.user.id == 2**40
    assert data.user.first_name == "Иван"
    assert err.startswith("Authorization: tma ")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_on_the_embedded_default(tmp_path):
    """No configuration at all: the README's first command, then the curl of the tour."""
    env = clean_env(tmp_path)
    port = _free_port()
    server = subprocess.Popen(
        [*SRCHNO, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                if httpx.get(f"{base}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            assert time.monotonic() < deadline, "server did not become healthy"
            time.sleep(0.1)
        init_data = subprocess.run(
            [*SRCHNO, "initdata", "--user-id", "42", "--first-name", "Ivan"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        me = httpx.get(f"{base}/api/users/me", headers={"Authorization": f"tma {init_data}"})
        assert me.status_code == 200
        assert me.json()["first_name"] == "Ivan"
        assert (tmp_path / "data" / "pgdata" / "PG_VERSION").exists()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    pid_file = tmp_path / "data" / "pgdata" / "postmaster.pid"
    deadline = time.monotonic() + 10
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pid_file.exists(), "the embedded PostgreSQL was not stopped"


def test_production_without_secrets_exits_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [*SRCHNO, "migrate"],
        cwd=tmp_path,
        env=clean_env(tmp_path, ENVIRONMENT="production"),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert (
        "ENVIRONMENT=production needs TELEGRAM_BOT_TOKEN, SECRET_KEY, DATABASE_URL" in result.stderr
    )


def test_migrate_command(tmp_path, database_url):
    result = subprocess.run(
        [*SRCHNO, "migrate"],
        cwd=tmp_path,
        env=clean_env(tmp_path, DATABASE_URL=database_url),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "newest migration" in result.stdout


def test_digest_queues_the_current_period_once_per_user(database_url, tmp_path):
    """``srochno digest hourly``: nobody subscribed hourly with matching orders here, so
    nothing is queued, and the command says so; a wrong period is refused."""
    env = clean_env(tmp_path, DATABASE_URL=database_url)
    done = subprocess.run(
        [*SRCHNO, "digest", "hourly"], env=env, capture_output=True, text=True, timeout=TOOL_SECONDS
    )
    assert done.returncode == 0, done.stderr
    assert "hourly digest: 0 message(s) queued" in done.stdout
    wrong = subprocess.run(
        [*SRCHNO, "digest", "weekly"], env=env, capture_output=True, text=True, timeout=TOOL_SECONDS
    )
    assert wrong.returncode == 2
