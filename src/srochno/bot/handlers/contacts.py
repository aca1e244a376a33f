"""A shared contact: the user's own phone, verified by Telegram (the Mini App's
``requestContact()`` makes the user send it to the bot)."""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.enums import ChatType
from aiogram.types import Message

from srochno import clock
from srochno.bot.outbox import Outbox
from srochno.db import Connection
from srochno.telegram import texts
from srochno.users import repository as users

NOT_DIGITS = re.compile(r"[^0-9]")
MAX_PHONE_DIGITS = 15
"""E.164: at most 15 digits after the plus."""


def verified_phone(phone_number: str) -> str | None:
    """Telegram's ``phone_number`` in its stored form (``+`` and the digits), or None when
    it is no phone number."""
    digits = NOT_DIGITS.sub("", phone_number)
    if not 5 <= len(digits) <= MAX_PHONE_DIGITS:
        return None
    return f"+{digits}"


def own_contact(message: Message) -> bool:
    """Telegram vouches for the phone only when the contact is the sender's own."""
    contact, sender = message.contact, message.from_user
    return contact is not None and sender is not None and contact.user_id == sender.id


async def contact_shared(message: Message, conn: Connection, outbox: Outbox) -> None:
    assert message.contact is not None
    lang = texts.language(message.from_user.language_code if message.from_user else None)
    phone = verified_phone(message.contact.phone_number)
    if message.from_user is None or not own_contact(message) or phone is None:
        outbox.add(message.answer(texts.phone_not_yours(lang)))
        return
    await users.set_verified_phone(conn, message.from_user.id, phone, clock.now())
    outbox.add(message.answer(texts.phone_verified(lang, phone)))


def router() -> Router:
    contacts = Router(name="contacts")
    contacts.message.register(contact_shared, F.contact, F.chat.type == ChatType.PRIVATE)
    return contacts
