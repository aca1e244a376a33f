"""`srochno admin create`: the first operator, from the command line."""

from __future__ import annotations

import os
import subprocess
import sys

from srochno.staff.service import sign_in

COMMAND = [sys.executable, "-m", "srochno", "admin", "create"]


def run(database_url: str, *args: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_"))}
    env.update({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    return subprocess.run(
        [*COMMAND, *args], input=password + "\n", env=env, capture_output=True, text=True
    )


async def test_create_reads_the_password_from_stdin(database_url, app):
    created = run(
        database_url, "anna", "--role", "moderator", "--password-stdin", password="s3cret pass"
    )
    assert created.returncode == 0, created.stderr
    assert "anna" in created.stdout
    async with app.state.db.connection() as conn:
        operator = await sign_in(conn, app.state.settings, "anna", "s3cret pass", "127.0.0.1")
        assert operator.role == "moderator"
        stored = await conn.fetchval("SELECT password_hash FROM admin_users WHERE name = 'anna'")
    assert stored.startswith("$argon2id$")

    again = run(database_url, "anna", "--role", "admin", "--password-stdin", password="other pass")
    assert again.returncode == 1
    assert "already exists" in again.stderr
    short = run(database_url, "bob", "--role", "admin", "--password-stdin", password="short")
    assert short.returncode == 1
    reset = run(
        database_url, "anna", "--role", "admin", "--password-stdin", "--reset", password="new pass!"
    )
    assert reset.returncode == 0, reset.stderr
    async with app.state.db.connection() as conn:
        operator = await sign_in(conn, app.state.settings, "anna", "new pass!", "127.0.0.1")
    assert operator.role == "admin"
