"""Telegram ``Update`` JSON as the Bot API delivers it, and posting it to the webhook."""

from __future__ import annotations

import datetime
import enum
import itertools
import time
import types
import typing
from typing import Any

import httpx
from aiogram.types import Update
from pydantic import BaseModel

from srochno.config import Settings

_update_ids = itertools.count(100_000)


def next_update_id() -> int:
    return next(_update_ids)


def telegram_user(user_id: int, language_code: str | None = "ru", **extra: Any) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}
    if language_code is not None:
        user["language_code"] = language_code
    return {**user, **extra}


def private_chat(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": f"User{user_id}"}


def message(
    user_id: int, *, update_id: int | None = None, language_code: str | None = "ru", **fields: Any
) -> dict[str, Any]:
    return {
        "update_id": update_id if update_id is not None else next_update_id(),
        "message": {
            "message_id": next_update_id(),
            "date": int(time.time()),
            "chat": private_chat(user_id),
            "from": telegram_user(user_id, language_code),
            **fields,
        },
    }


def command(
    user_id: int, text: str, *, language_code: str | None = "ru", update_id: int | None = None
) -> dict[str, Any]:
    name = text.split()[0]
    return message(
        user_id,
        update_id=update_id,
        language_code=language_code,
        text=text,
        entities=[{"type": "bot_command", "offset": 0, "length": len(name)}],
    )


def pre_checkout(
    user_id: int,
    payload: str,
    total_amount: int,
    *,
    currency: str = "XTR",
    language_code: str | None = "ru",
    update_id: int | None = None,
) -> dict[str, Any]:
    return {
        "update_id": update_id if update_id is not None else next_update_id(),
        "pre_checkout_query": {
            "id": f"pcq-{next_update_id()}",
            "from": telegram_user(user_id, language_code),
            "currency": currency,
            "total_amount": total_amount,
            "invoice_payload": payload,
        },
    }


def successful_payment(
    user_id: int,
    payload: str,
    total_amount: int,
    charge_id: str,
    *,
    update_id: int | None = None,
    language_code: str | None = "ru",
) -> dict[str, Any]:
    return message(
        user_id,
        update_id=update_id,
        language_code=language_code,
        successful_payment={
            "currency": "XTR",
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": "",
        },
    )


def refunded_payment(
    user_id: int, payload: str, total_amount: int, charge_id: str, *, update_id: int | None = None
) -> dict[str, Any]:
    return message(
        user_id,
        update_id=update_id,
        refunded_payment={
            "currency": "XTR",
            "total_amount": total_amount,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
        },
    )


def my_chat_member(user_id: int, status: str, *, update_id: int | None = None) -> dict[str, Any]:
    """The bot's membership in the user's private chat: ``kicked`` (blocked) or ``member``."""
    old = "member" if status == "kicked" else "kicked"
    bot = {"id": 7000000001, "is_bot": True, "first_name": "Srochno"}

    def member(state: str) -> dict[str, Any]:
        value: dict[str, Any] = {"status": state, "user": bot}
        if state == "kicked":
            value["until_date"] = 0
        return value

    return {
        "update_id": update_id if update_id is not None else next_update_id(),
        "my_chat_member": {
            "chat": private_chat(user_id),
            "from": telegram_user(user_id),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(status),
        },
    }


def star_transaction(
    charge_id: str, user_id: int, amount: int, payload: str | None, *, refund: bool = False
) -> dict[str, Any]:
    """A ``StarTransaction`` of ``getStarTransactions``: a user's invoice payment, or (with
    ``refund``) its refund, going the other way with the same id."""
    partner: dict[str, Any] = {
        "type": "user",
        "transaction_type": "invoice_payment",
        "user": telegram_user(user_id),
    }
    if payload is not None:
        partner["invoice_payload"] = payload
    side = "receiver" if refund else "source"
    return {"id": charge_id, "amount": amount, "date": int(time.time()), side: partner}


async def post_update(
    client: httpx.AsyncClient, settings: Settings, update: dict[str, Any], **kwargs: Any
) -> httpx.Response:
    secret = settings.webhook_secret
    assert secret is not None
    return await client.post(
        "/telegram/webhook",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        **kwargs,
    )


def location(
    user_id: int, lat: float | str, lon: float | str, *, language_code: str | None = "ru"
) -> dict[str, Any]:
    """A location the user shared (the ``request_location`` button, or the attachment)."""
    return message(
        user_id, language_code=language_code, location={"latitude": lat, "longitude": lon}
    )


UPDATE_KINDS = [name for name in Update.model_fields if name != "update_id"]
"""Every kind of update the Bot API (as aiogram knows it) may deliver."""


def minimal(annotation: Any) -> Any:
    """The smallest JSON value of ``annotation`` aiogram accepts: a model with only its
    required fields (and its tag, for a union told apart by one), the first member of a
    union or enum, empty lists."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return minimal(args[0])
    if origin in (typing.Union, types.UnionType):
        return minimal(next(arg for arg in args if arg is not type(None)))
    if origin is typing.Literal:
        return args[0]
    if origin in (list, tuple, set):
        return []
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            if not annotation.__pydantic_complete__:  # aiogram's models are built on first use
                annotation.model_rebuild()
            return {
                field.alias or name: minimal(field.annotation)
                for name, field in annotation.model_fields.items()
                if field.is_required() or typing.get_origin(field.annotation) is typing.Literal
            }
        simple: list[tuple[type, Any]] = [
            (bool, False),
            (int, 1),
            (float, 1.0),
            (str, "x"),
            (datetime.datetime, 1_700_000_000),
        ]
        if issubclass(annotation, enum.Enum):
            return next(iter(annotation)).value
        for kind, value in simple:
            if issubclass(annotation, kind):
                return value
    raise TypeError(f"no minimal value for {annotation!r}")


def minimal_update(kind: str) -> dict[str, Any]:
    """An update of ``kind`` with only what the Bot API must send."""
    if not Update.__pydantic_complete__:
        Update.model_rebuild()
    return {"update_id": next_update_id(), kind: minimal(Update.model_fields[kind].annotation)}
