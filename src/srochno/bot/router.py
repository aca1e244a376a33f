"""``POST /telegram/webhook``: Telegram's updates, checked by the secret token."""

from __future__ import annotations

from typing import Annotated, Any

from aiogram.types import Update
from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, ValidationError
from starlette.responses import Response

from srochno.bot.inbox import handle_update
from srochno.config import same_secret
from srochno.errors import DatabaseUnavailable, ValidationFailed, responses
from srochno.responses import json_response
from srochno.state import BotDep, DatabaseDep, DispatcherDep, SettingsDep
from srochno.telegram.errors import BotNotConfigured, WebhookForbidden

router = APIRouter(tags=["telegram"])

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


class InvalidUpdate(ValidationFailed):
    message = "The body is not a Telegram Update"


class WebhookOut(BaseModel):
    ok: bool = True


def secret_matches(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; nothing matches when no secret is configured."""
    if not expected or given is None:
        return False
    return same_secret(expected, given)


async def verify_secret(
    settings: SettingsDep,
    secret: Annotated[
        str | None, Header(alias=SECRET_HEADER, description="The secret given to setWebhook")
    ] = None,
) -> None:
    if not secret_matches(settings.webhook_secret, secret):
        raise WebhookForbidden()


UPDATE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["update_id"],
    "properties": {"update_id": {"type": "integer", "minimum": 0}},
    "additionalProperties": True,
    "description": "A Telegram Update (https://core.telegram.org/bots/api#update)",
}


@router.post(
    "/telegram/webhook",
    response_model=WebhookOut,
    dependencies=[Depends(verify_secret)],
    responses=responses(WebhookForbidden, InvalidUpdate, BotNotConfigured, DatabaseUnavailable),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": UPDATE_SCHEMA}},
        },
    },
)
async def telegram_webhook(
    request: Request,
    settings: SettingsDep,
    db: DatabaseDep,
    bot: BotDep,
    dispatcher: DispatcherDep,
) -> Response:
    """Telegram's updates (only with the right `X-Telegram-Bot-Api-Secret-Token`). The
    answer is 200 once the update's effects are committed; a redelivered update is
    answered 200 and handled once; a failure is a 5xx, so Telegram delivers it again."""
    body = await request.body()
    try:
        update = Update.model_validate_json(body, context={"bot": bot})
    except ValidationError as error:
        raise InvalidUpdate() from error
    await handle_update(db, bot, dispatcher, settings, update)
    return json_response({"ok": True})
