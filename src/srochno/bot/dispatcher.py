"""The aiogram dispatcher: stateless (no FSM storage), one per process, shared by the
webhook and ``srochno bot poll``."""

from __future__ import annotations

from aiogram import Dispatcher

from srochno.bot.handlers import area, commands, contacts, members, payments

ALLOWED_UPDATES = ["message", "callback_query", "pre_checkout_query", "my_chat_member"]
"""What Telegram is asked to deliver (``setWebhook``, ``getUpdates``)."""


def build_dispatcher() -> Dispatcher:
    """A new dispatcher with fresh routers (an aiogram router has one parent)."""
    dispatcher = Dispatcher(disable_fsm=True, name="srochno")
    dispatcher.include_routers(
        payments.router(), commands.router(), contacts.router(), area.router(), members.router()
    )
    return dispatcher
