"""`srochno admin create`: the first operator, from the command line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from srochno.staff.service import sign_in
from tests import prefork

TIMEOUT_SECONDS = 180.0  # a start-up included: only a hung command should reach it


def run(database_url: str, *args: str, password: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_"))}
    env.update({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    return prefork.run(
        ["admin", "create", *args],
        cwd=Path.cwd(),
        env=env,
        timeout=TIMEOUT_SECONDS,
        input=password + "\n",
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


def admin(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "TELEGRAM_"))}
    env.update({"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"})
    return prefork.run(["admin", *args], cwd=Path.cwd(), env=env, timeout=TIMEOUT_SECONDS)


async def test_list_disable_and_role(database_url, app):
    assert run(database_url, "vera", "--role", "moderator", "--password-stdin", password="p" * 9)
    async with app.state.db.connection() as conn:
        await sign_in(conn, app.state.settings, "vera", "p" * 9, "192.0.2.5")
    listed = admin(database_url, "list")
    assert listed.returncode == 0, listed.stderr
    [line] = [row for row in listed.stdout.splitlines() if row.startswith("vera ")]
    assert line.split()[1:3] == ["moderator", "active"]
    assert "never" not in line  # the last sign-in is shown

    assert admin(database_url, "role", "vera", "admin").returncode == 0
    assert admin(database_url, "disable", "vera").returncode == 0
    [line] = [row for row in admin(database_url, "list").stdout.splitlines() if "vera" in row]
    assert line.split()[1:3] == ["admin", "disabled"]
    async with app.state.db.connection() as conn:
        assert await conn.fetchval("SELECT disabled_at FROM admin_users WHERE name='vera'")
    assert admin(database_url, "disable", "vera", "--enable").returncode == 0
    missing = admin(database_url, "role", "nobody", "admin")
    assert missing.returncode == 1
    assert "No operator has this name" in missing.stderr
