from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request
from starlette.responses import Response

from srochno.auth.dependencies import CurrentUser, OptionalUser, TelegramUser
from srochno.auth.errors import AUTH_ERRORS
from srochno.errors import IdempotencyKeyConflict, responses
from srochno.orders import client, errors, near, outcome, reports, service, share
from srochno.orders.schemas import (
    CompleteIn,
    OrderClientOut,
    OrderCreate,
    OrderOut,
    OrderPage,
    OrderUpdate,
    ReportIn,
    ReportOut,
    ShareOut,
    TakenOrder,
    TakeResult,
    TakerOut,
)
from srochno.orders.take import take_order
from srochno.ratelimit import RateLimited
from srochno.responses import json_response
from srochno.schemas import IdempotencyKey, Limit, Offset, Page, SafeStr
from srochno.state import (
    BotDep,
    ReadConnection,
    SettingsDep,
    Work,
    WriteConnection,
    domain_router,
    settings_of,
    unit_of_work,
)
from srochno.telegram.errors import BotNotConfigured
from srochno.users.errors import TelegramOnly

router = domain_router(tags=["orders"])

OrderId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
OWNER_ERRORS = (*AUTH_ERRORS, errors.NotOwner, errors.OrderNotFound)
EDIT_ERRORS = (*OWNER_ERRORS, errors.OrderAlreadyTaken, errors.OrderNotActive)
PUBLIC_ERRORS = AUTH_ERRORS  # a viewer is optional; the database is read either way


@router.post(
    "/api/orders",
    status_code=201,
    response_model=OrderOut,
    responses=responses(
        *AUTH_ERRORS, errors.ContactInDescription, errors.TooManyActiveOrders, RateLimited
    ),
)
async def create_order(body: OrderCreate, user: CurrentUser, request: Request) -> Response:
    """Post an urgent job (free). It is listed for `ORDER_LIFETIME_MINUTES`."""
    conn = await unit_of_work(request).transaction()  # a hot route: see srochno.state
    order = await service.create_order(conn, settings_of(request), user.id, body)
    return json_response(order, 201, {"Location": f"/api/orders/{order['id']}"})


@router.get(
    "/api/orders",
    response_model=OrderPage,
    responses=responses(*PUBLIC_ERRORS, errors.InvalidNear, errors.InvalidCursor),
)
async def list_orders(
    viewer: OptionalUser,
    request: Request,
    city: Annotated[SafeStr | None, Query(max_length=64, description="Trimmed, any case")] = None,
    category: Annotated[SafeStr | None, Query(max_length=32)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    near_: Annotated[
        SafeStr | None,
        Query(
            alias="near",
            max_length=64,
            description="`<lat>,<lon>` in degrees: located orders within `radius_km`, "
            "nearest first (the city filter is not applied); else 422 `invalid_near`",
            json_schema_extra={"pattern": near.NEAR_PATTERN},
        ),
    ] = None,
    radius_km: Annotated[
        float | None,
        Query(
            gt=0,
            description="With `near`: above 0 (default GEO_DEFAULT_RADIUS_KM); a wider "
            "radius than GEO_MAX_RADIUS_KM is read as that",
        ),
    ] = None,
    cursor: Annotated[
        SafeStr | None,
        Query(
            max_length=32,
            description="With `near`: the previous page's `next_cursor`",
            json_schema_extra={"pattern": near.CURSOR_PATTERN},
        ),
    ] = None,
) -> Response:
    """Active orders, newest first: not expired and not past the no-response deadline.
    Contacts are never listed. With `near`: located orders within the radius, nearest first
    (by the centre of each order's public area), with `distance_km` and `next_cursor`."""
    work, settings = unit_of_work(request), settings_of(request)  # a hot route: see srochno.state
    if near_ is not None:  # who sees which orders they took: the primary
        conn = await (work.connection() if viewer is not None else work.public_connection())
        return json_response(
            await near.list_near(
                conn,
                settings,
                viewer.id if viewer is not None else None,
                near=near_,
                radius_km=radius_km,
                category=category or None,
                cursor=cursor,
                limit=limit,
                offset=offset,
            )
        )
    if cursor is not None:
        near.parse_cursor(cursor)  # malformed is 422 with or without near; else unused
    conn = await work.public_connection()  # a read replica's when one is usable
    return json_response(
        await service.list_orders(
            conn,
            settings,
            viewer.id if viewer is not None else None,
            city=city.strip() if city else None,
            category=category or None,
            limit=limit,
            offset=offset,
            own=await work.connection() if work.on_replica and viewer is not None else None,
        )
    )


@router.get(
    "/api/orders/{order_id}",
    response_model=OrderOut,
    responses=responses(*PUBLIC_ERRORS, errors.OrderNotFound),
)
async def read_order(order_id: OrderId, viewer: OptionalUser, request: Request) -> Response:
    """One order; the contact only for its owner and the executors who took it."""
    work, settings = unit_of_work(request), settings_of(request)  # a hot route: see srochno.state
    if viewer is not None:  # the viewer may own it or have taken it: the primary
        conn = await work.connection()
        return json_response(await service.read_order(conn, settings, order_id, viewer.id))
    try:  # anybody's read: a read replica's when one is usable
        conn = await work.public_connection()
        return json_response(await service.read_order(conn, settings, order_id, None))
    except errors.OrderNotFound:
        if not work.on_replica:
            raise
    # Not there yet (a replica a little behind): the primary decides.
    conn = await work.connection()
    return json_response(await service.read_order(conn, settings, order_id, None))


@router.get(
    "/api/orders/{order_id}/client",
    response_model=OrderClientOut,
    responses=responses(*AUTH_ERRORS, errors.OrderNotFound),
)
async def read_order_client(
    order_id: OrderId, viewer: CurrentUser, conn: ReadConnection, settings: SettingsDep
) -> Response:
    """The order's client before paying, for the signed-in: a coarse card (the rating to the
    half star from 5 reviews, complaints as none/some/many, whether the contact is the
    client's phone verified by Telegram), never the name, the contact or an exact figure."""
    return json_response(await client.client_of_order(conn, settings, order_id, viewer.id))


@router.post(
    "/api/orders/{order_id}/share",
    response_model=ShareOut,
    responses=responses(
        *AUTH_ERRORS,
        errors.OrderNotFound,
        errors.OrderNotActive,
        share.ShareUnavailable,
        BotNotConfigured,
        TelegramOnly,
    ),
)
async def share_order(
    order_id: OrderId, user: TelegramUser, work: Work, settings: SettingsDep, bot: BotDep
) -> Response:
    """A message with the order's public card and a button that opens it in the Mini App
    (never the contact), prepared by the bot for `WebApp.shareMessage(prepared_message_id)`;
    `WebApp.shareMessage` exists only inside Telegram: 409 `telegram_only` outside."""
    return json_response(await share.share_order(work, bot, settings, user.id, order_id))


@router.put(
    "/api/orders/{order_id}",
    response_model=OrderOut,
    responses=responses(*EDIT_ERRORS, errors.CityLocked, errors.ContactInDescription),
)
async def update_order(
    order_id: OrderId,
    body: OrderUpdate,
    user: CurrentUser,
    conn: WriteConnection,
    settings: SettingsDep,
) -> Response:
    """Edit while active and before the first take. The city cannot change."""
    return json_response(await service.update_order(conn, settings, user.id, order_id, body))


@router.delete("/api/orders/{order_id}", status_code=204, responses=responses(*EDIT_ERRORS))
async def delete_order(
    order_id: OrderId, user: CurrentUser, conn: WriteConnection, settings: SettingsDep
) -> Response:
    """Withdraw the order while active and before the first take."""
    await service.delete_order(conn, settings, user.id, order_id)
    return Response(status_code=204)


@router.post(
    "/api/orders/{order_id}/take",
    response_model=TakeResult,
    responses=responses(
        *AUTH_ERRORS,
        errors.OwnOrder,
        errors.OrderNotFound,
        errors.OrderNotActive,
        errors.OrderExpired,
        errors.OrderFull,
        errors.InsufficientBalance,
        IdempotencyKeyConflict,
        RateLimited,
    ),
)
async def take(
    order_id: OrderId,
    user: CurrentUser,
    request: Request,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Pay `take_price` from the balance and see the contact. Repeating it is free and
    answers the same take with `replayed: true`."""
    conn = await unit_of_work(request).transaction()  # a hot route: see srochno.state
    settings = settings_of(request)
    return json_response(await take_order(conn, settings, user.id, order_id, idempotency_key))


@router.post(
    "/api/orders/{order_id}/respond",
    response_model=OrderOut,
    responses=responses(*OWNER_ERRORS, errors.NoTakes, errors.OrderNotActive),
)
async def respond(
    order_id: OrderId, user: CurrentUser, conn: WriteConnection, settings: SettingsDep
) -> Response:
    """The owner reacted to the takers: stops the no-response clock (no refunds)."""
    return json_response(await outcome.respond(conn, settings, user.id, order_id))


@router.post(
    "/api/orders/{order_id}/complete",
    response_model=OrderOut,
    responses=responses(
        *OWNER_ERRORS,
        errors.ExecutorNotTaker,
        errors.OrderNotActive,
        errors.CompletionWindowClosed,
    ),
)
async def complete(
    order_id: OrderId,
    body: CompleteIn,
    user: CurrentUser,
    conn: WriteConnection,
    settings: SettingsDep,
) -> Response:
    """The owner marks the job done by one of the takers."""
    return json_response(
        await outcome.complete(conn, settings, user.id, order_id, body.executor_id)
    )


@router.post(
    "/api/orders/{order_id}/report",
    status_code=201,
    response_model=ReportOut,
    responses=responses(
        *AUTH_ERRORS,
        errors.OwnOrderReport,
        errors.OrderNotFound,
        errors.AlreadyReported,
        RateLimited,
    ),
)
async def report(
    order_id: OrderId, body: ReportIn, user: CurrentUser, conn: WriteConnection
) -> Response:
    """Report an order whose public text carries a contact, or that is fake (once per
    order; not your own). Nothing changes for anybody until a moderator decides."""
    return json_response(await reports.report_order(conn, user.id, order_id, body), 201)


@router.get(
    "/api/users/me/orders", response_model=Page[OrderOut], responses=responses(*AUTH_ERRORS)
)
async def my_orders(
    user: CurrentUser,
    conn: ReadConnection,
    settings: SettingsDep,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Orders I created, newest first, with their contacts."""
    return json_response(
        await service.list_my_orders(conn, settings, user.id, limit=limit, offset=offset)
    )


@router.get(
    "/api/users/me/takes", response_model=Page[TakenOrder], responses=responses(*AUTH_ERRORS)
)
async def my_takes(
    user: CurrentUser,
    conn: ReadConnection,
    settings: SettingsDep,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Orders I took, most recent first, with their contacts."""
    return json_response(
        await service.list_my_takes(conn, settings, user.id, limit=limit, offset=offset)
    )


@router.get(
    "/api/orders/{order_id}/takers",
    response_model=list[TakerOut],
    responses=responses(*OWNER_ERRORS),
)
async def read_takers(order_id: OrderId, user: CurrentUser, conn: ReadConnection) -> Response:
    """The executors who took my order, first taker first (owner only): the ones I can
    complete the order with and rate."""
    return json_response(await service.list_takers(conn, user.id, order_id))
