"""SQL of the operators' accounts, their sign-in attempts, sessions and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson

from srochno.db import Connection, Record

ADMIN_COLUMNS = "id, name, role, password_hash, created_at, disabled_at"

INSERT_ADMIN = (
    "INSERT INTO admin_users (name, role, password_hash, created_at, updated_at) "
    f"VALUES ($1, $2, $3, $4, $4) ON CONFLICT (name) DO NOTHING RETURNING {ADMIN_COLUMNS}"
)
SET_PASSWORD = (
    "UPDATE admin_users SET password_hash = $2, role = $3, updated_at = $4, disabled_at = NULL "
    f"WHERE name = $1 RETURNING {ADMIN_COLUMNS}"
)
ADMIN_BY_NAME = f"SELECT {ADMIN_COLUMNS} FROM admin_users WHERE name = $1"
ADMIN_BY_ID = f"SELECT {ADMIN_COLUMNS} FROM admin_users WHERE id = $1"
REHASH = "UPDATE admin_users SET password_hash = $2 WHERE id = $1"

# Every attempt is recorded first and counted after, each statement committing on its own:
# of N attempts racing, the one recorded last counts all N, so at most the limit pass.
RECORD_ATTEMPT = (
    "INSERT INTO admin_login_attempts (name, address, attempted_at) VALUES ($1, $2, $3)"
)
COUNT_ATTEMPTS = """
SELECT count(*) FILTER (WHERE address = $2) AS by_pair, count(*) AS by_name,
       (SELECT count(*) FROM admin_login_attempts WHERE address = $2 AND attempted_at > $3)
           AS by_address
FROM admin_login_attempts WHERE name = $1 AND attempted_at > $3
"""
KNOWN_ADDRESS = """
SELECT EXISTS (SELECT FROM admin_sign_ins s JOIN admin_users u ON u.id = s.admin_id
               WHERE u.name = $1 AND s.address = $2 AND s.signed_in_at > $3)
"""
REMEMBER_ADDRESS = """
INSERT INTO admin_sign_ins (admin_id, address, signed_in_at) VALUES ($1, $2, $3)
ON CONFLICT (admin_id, address) DO UPDATE SET signed_in_at = EXCLUDED.signed_in_at
"""
FORGET_ATTEMPTS = "DELETE FROM admin_login_attempts WHERE name = $1 AND address = $2"
EXPIRE_ATTEMPTS = "DELETE FROM admin_login_attempts WHERE attempted_at <= $1"

INSERT_SESSION = """
INSERT INTO admin_sessions (token_hash, admin_id, role, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5)
"""
SESSION_OPERATOR = f"""
SELECT {", ".join(f"u.{c.strip()}" for c in ADMIN_COLUMNS.split(","))}
FROM admin_sessions s JOIN admin_users u ON u.id = s.admin_id
WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL AND u.role = s.role
"""
DELETE_SESSION = "DELETE FROM admin_sessions WHERE token_hash = $1"
DELETE_SESSIONS_OF = "DELETE FROM admin_sessions WHERE admin_id = $1"
EXPIRE_SESSIONS = "DELETE FROM admin_sessions WHERE expires_at <= $1"

INSERT_ACTION = """
INSERT INTO admin_actions (admin_id, admin_name, action, target_type, target_id, reason,
                           details, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
RETURNING id
"""


async def insert_admin(
    conn: Connection, name: str, role: str, password_hash: str, now: datetime
) -> Record | None:
    """The new account, or None when the name is taken."""
    return await conn.fetchrow(INSERT_ADMIN, name, role, password_hash, now)


async def reset_admin(
    conn: Connection, name: str, role: str, password_hash: str, now: datetime
) -> Record | None:
    return await conn.fetchrow(SET_PASSWORD, name, password_hash, role, now)


async def admin_by_name(conn: Connection, name: str) -> Record | None:
    return await conn.fetchrow(ADMIN_BY_NAME, name)


async def admin_by_id(conn: Connection, admin_id: int) -> Record | None:
    return await conn.fetchrow(ADMIN_BY_ID, admin_id)


async def rehash(conn: Connection, admin_id: int, password_hash: str) -> None:
    await conn.execute(REHASH, admin_id, password_hash)


async def record_attempt(
    conn: Connection, name: str, address: str, now: datetime, since: datetime
) -> tuple[int, int, int]:
    """Record one attempt; the attempts since ``since`` of this name from this address, of
    this name from anywhere, and from this address whatever the name."""
    await conn.execute(EXPIRE_ATTEMPTS, since)
    await conn.execute(RECORD_ATTEMPT, name, address, now)
    row = await conn.fetchrow(COUNT_ATTEMPTS, name, address, since)
    assert row is not None
    return int(row["by_pair"]), int(row["by_name"]), int(row["by_address"])


async def known_address(conn: Connection, name: str, address: str, since: datetime) -> bool:
    """Whether the operator of this name signed in from this address since ``since``."""
    known: bool = await conn.fetchval(KNOWN_ADDRESS, name, address, since)
    return known


async def remember_address(conn: Connection, admin_id: int, address: str, now: datetime) -> None:
    await conn.execute(REMEMBER_ADDRESS, admin_id, address, now)


async def forget_attempts(conn: Connection, name: str, address: str) -> None:
    await conn.execute(FORGET_ATTEMPTS, name, address)


async def insert_session(
    conn: Connection,
    token_hash: str,
    admin_id: int,
    role: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(INSERT_SESSION, token_hash, admin_id, role, now, expires_at)


async def session_operator(conn: Connection, token_hash: str, now: datetime) -> Record | None:
    return await conn.fetchrow(SESSION_OPERATOR, token_hash, now)


async def delete_session(conn: Connection, token_hash: str) -> None:
    await conn.execute(DELETE_SESSION, token_hash)


async def delete_sessions_of(conn: Connection, admin_id: int) -> None:
    """Every session of one operator (disabled, another role, a new password)."""
    await conn.execute(DELETE_SESSIONS_OF, admin_id)


async def expire_sessions(conn: Connection, now: datetime) -> None:
    await conn.execute(EXPIRE_SESSIONS, now)


async def insert_action(
    conn: Connection,
    admin_id: int,
    admin_name: str,
    action: str,
    target_type: str,
    target_id: str,
    reason: str,
    details: dict[str, Any],
    now: datetime,
) -> int:
    action_id: int = await conn.fetchval(
        INSERT_ACTION,
        admin_id,
        admin_name,
        action,
        target_type,
        target_id,
        reason,
        orjson.dumps(details).decode(),
        now,
    )
    return action_id
