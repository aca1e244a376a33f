"""Banning and unbanning users: operators' actions, each with its audit row.

A banned user's requests are refused (403 ``user_banned``) from the next one on: the
user row is read on every authenticated request.
"""

from __future__ import annotations

from srochno import clock
from srochno.db import Connection, Record
from srochno.enums import AdminActionType
from srochno.staff.service import Operator, clean_reason, record_action
from srochno.users import repository
from srochno.users.errors import UserAlreadyBanned, UserNotBanned, UserNotFound


async def set_ban(
    conn: Connection, operator: Operator, user_id: int, reason: str, *, banned: bool
) -> Record:
    """Ban (``banned``) or unban a user, in the caller's transaction."""
    reason = clean_reason(reason)
    row = await repository.set_banned(conn, user_id, banned, clock.now())
    if row is None:
        if await repository.find_user(conn, user_id) is None:
            raise UserNotFound()
        raise UserAlreadyBanned() if banned else UserNotBanned()
    action = AdminActionType.ban_user if banned else AdminActionType.unban_user
    await record_action(conn, operator, action, "user", user_id, reason)
    return row


async def ban_user(conn: Connection, operator: Operator, user_id: int, reason: str) -> Record:
    return await set_ban(conn, operator, user_id, reason, banned=True)


async def unban_user(conn: Connection, operator: Operator, user_id: int, reason: str) -> Record:
    return await set_ban(conn, operator, user_id, reason, banned=False)
