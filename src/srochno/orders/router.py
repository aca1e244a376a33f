from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from starlette.responses import Response

from srochno.auth.dependencies import CurrentUser, OptionalUser
from srochno.auth.errors import AUTH_ERRORS
from srochno.errors import IdempotencyKeyConflict, responses
from srochno.orders import errors, outcome, reports, service
from srochno.orders.schemas import (
    CompleteIn,
    OrderCreate,
    OrderOut,
    OrderUpdate,
    ReportIn,
    ReportOut,
    TakenOrder,
    TakeResult,
    TakerOut,
)
from srochno.orders.take import take_order
from srochno.ratelimit import RateLimited
from srochno.responses import json_response
from srochno.schemas import IdempotencyKey, Limit, Offset, Page, SafeStr
from srochno.state import ReadConnection, SettingsDep, WriteConnection, domain_router

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
async def create_order(
    body: OrderCreate, user: CurrentUser, conn: WriteConnection, settings: SettingsDep
) -> Response:
    """Post an urgent job (free). It is listed for `ORDER_LIFETIME_MINUTES`."""
    order = await service.create_order(conn, settings, user.id, body)
    return json_response(order, 201, {"Location": f"/api/orders/{order['id']}"})


@router.get("/api/orders", response_model=Page[OrderOut], responses=responses(*PUBLIC_ERRORS))
async def list_orders(
    viewer: OptionalUser,
    conn: ReadConnection,
    settings: SettingsDep,
    city: Annotated[SafeStr | None, Query(max_length=64, description="Trimmed, any case")] = None,
    category: Annotated[SafeStr | None, Query(max_length=32)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Response:
    """Active orders, newest first: not expired and not past the no-response deadline.
    Contacts are never listed."""
    return json_response(
        await service.list_orders(
            conn,
            settings,
            viewer.id if viewer is not None else None,
            city=city.strip() if city else None,
            category=category or None,
            limit=limit,
            offset=offset,
        )
    )


@router.get(
    "/api/orders/{order_id}",
    response_model=OrderOut,
    responses=responses(*PUBLIC_ERRORS, errors.OrderNotFound),
)
async def read_order(
    order_id: OrderId, viewer: OptionalUser, conn: ReadConnection, settings: SettingsDep
) -> Response:
    """One order; the contact only for its owner and the executors who took it."""
    viewer_id = viewer.id if viewer is not None else None
    return json_response(await service.read_order(conn, settings, order_id, viewer_id))


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
    conn: WriteConnection,
    settings: SettingsDep,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Pay `take_price` from the balance and see the contact. Repeating it is free and
    answers the same take with `replayed: true`."""
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
