"""Operators' accounts from the command line: list them, disable (or enable) one, change
a role. Disabling or a new role ends every session of the operator at once (a cookie
kept from before is refused at its next request)."""

from __future__ import annotations

from srochno import clock
from srochno.db import Connection, Record
from srochno.enums import AdminRole
from srochno.staff import repository
from srochno.staff.errors import OperatorNotFound

LIST = """
SELECT u.name, u.role, u.created_at, u.disabled_at, max(s.signed_in_at) AS last_sign_in_at
FROM admin_users u LEFT JOIN admin_sign_ins s ON s.admin_id = u.id
GROUP BY u.id ORDER BY u.name
"""
SET_DISABLED = """
UPDATE admin_users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, $3) END,
                       updated_at = $3
WHERE name = $1 RETURNING id
"""
SET_ROLE = "UPDATE admin_users SET role = $2, updated_at = $3 WHERE name = $1 RETURNING id"


async def list_operators(conn: Connection) -> list[Record]:
    return await conn.fetch(LIST)


async def set_disabled(conn: Connection, name: str, *, disabled: bool) -> None:
    admin_id = await conn.fetchval(SET_DISABLED, name, disabled, clock.now())
    if admin_id is None:
        raise OperatorNotFound()
    if disabled:
        await repository.delete_sessions_of(conn, admin_id)


async def set_role(conn: Connection, name: str, role: AdminRole) -> None:
    admin_id = await conn.fetchval(SET_ROLE, name, role.value, clock.now())
    if admin_id is None:
        raise OperatorNotFound()
    await repository.delete_sessions_of(conn, admin_id)
