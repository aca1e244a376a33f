"""Banning and unbanning users: operators' actions, each with its audit row; strikes,
which ban a user when they reach ``STRIKES_TO_BAN``.

A banned user's requests are refused (403 ``user_banned``) from the next one on: the
user row is read on every authenticated request.
"""

from __future__ import annotations

from srochno import clock
from srochno.db import Connection, Record
from srochno.enums import AdminActionType
from srochno.staff.service import MAX_REASON_LENGTH, Operator, clean_reason, record_action
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


async def give_strike(
    conn: Connection, operator: Operator, user_id: int, reason: str, strikes_to_ban: int
) -> dict[str, int | bool]:
    """One more strike for the user, in the caller's transaction (which decided it and
    wrote its audit row). At ``strikes_to_ban`` strikes a user not banned yet is banned
    the usual way, with its own ``ban_user`` audit row; a user unbanned later is banned
    again by the next strike."""
    row = await repository.add_strike(conn, user_id, clock.now())
    if row is None:
        raise UserNotFound()
    strikes: int = row["strikes"]
    banned = strikes >= strikes_to_ban and not row["is_banned"]
    if banned:
        why = f"Banned at {strikes} strikes: {reason}"
        await set_ban(conn, operator, user_id, why[:MAX_REASON_LENGTH], banned=True)
    return {"strikes": strikes, "banned": banned}
