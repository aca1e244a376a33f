"""Web Push (SPEC §23): the key browsers subscribe with, and an account's devices."""

from __future__ import annotations

from starlette.responses import Response

from srochno.auth.dependencies import CurrentUser
from srochno.auth.errors import AUTH_ERRORS, CsrfHeaderMissing
from srochno.errors import ValidationFailed, responses
from srochno.push import service
from srochno.push.errors import (
    PushEndpointInvalid,
    PushEndpointNotAllowed,
    PushKeysInvalid,
    PushUnavailable,
)
from srochno.push.schemas import PublicKeyOut, SubscriptionIn, SubscriptionOut, UnsubscribeIn
from srochno.push.vapid import application_server_key
from srochno.responses import json_response
from srochno.state import SettingsDep, WriteConnection, domain_router

router = domain_router(tags=["push"])


@router.get("/api/push/key", response_model=PublicKeyOut, responses=responses(PushUnavailable))
async def read_public_key(settings: SettingsDep) -> Response:
    """The server's VAPID public key, for `pushManager.subscribe({applicationServerKey})`."""
    return json_response({"public_key": application_server_key(settings)})


@router.post(
    "/api/users/me/push-subscriptions",
    status_code=201,
    response_model=SubscriptionOut,
    responses=responses(
        *AUTH_ERRORS,
        CsrfHeaderMissing,
        ValidationFailed,
        PushEndpointInvalid,
        PushEndpointNotAllowed,
        PushKeysInvalid,
        PushUnavailable,
    ),
)
async def add_push_subscription(
    body: SubscriptionIn, user: CurrentUser, conn: WriteConnection, settings: SettingsDep
) -> Response:
    """This device hears of new orders by Web Push (instant, matching my categories and
    cities, or my work area on duty). `endpoint` and `keys` as `PushSubscription.toJSON()`
    gives them; the endpoint must be on a known push service (`PUSH_SERVICE_HOSTS`).
    Subscribing an endpoint again renews it (for this account)."""
    row = await service.subscribe(conn, settings, user.id, body)
    return json_response(
        {
            "id": row["id"],
            "created_at": row["created_at"].isoformat(),
            "updated_at": row["updated_at"].isoformat(),
        },
        status_code=201,
    )


@router.delete(
    "/api/users/me/push-subscriptions",
    status_code=204,
    responses=responses(*AUTH_ERRORS, CsrfHeaderMissing, ValidationFailed),
)
async def remove_push_subscription(
    body: UnsubscribeIn, user: CurrentUser, conn: WriteConnection
) -> Response:
    """This device hears nothing more by push (204 whether it was subscribed or not)."""
    await service.unsubscribe(conn, user.id, body.endpoint)
    return Response(status_code=204)
