"""``my_chat_member``: the user blocked or unblocked the bot."""

from __future__ import annotations

from aiogram import Router
from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import ChatMemberUpdated

from srochno import clock
from srochno.db import Connection
from srochno.users import repository as users
from srochno.users.service import ensure_user


def blocks_bot(update: ChatMemberUpdated) -> bool:
    """In a private chat, the bot's new status ``kicked`` means the user blocked it."""
    return update.new_chat_member.status == ChatMemberStatus.KICKED


async def bot_membership_changed(update: ChatMemberUpdated, conn: Connection) -> None:
    if update.chat.type != ChatType.PRIVATE:
        return
    now = clock.now()
    await ensure_user(conn, update.from_user, now)
    await users.set_bot_blocked(conn, update.from_user.id, blocks_bot(update), now)


def router() -> Router:
    members = Router(name="members")
    members.my_chat_member.register(bot_membership_changed)
    return members
