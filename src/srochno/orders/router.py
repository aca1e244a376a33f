from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from srochno.auth.dependencies import CurrentUser, OptionalUser
from srochno.config import Settings
from srochno.db import DbSession
from srochno.errors import (
    AUTH_ERRORS,
    ExecutorNotTaker,
    IdempotencyKeyConflict,
    NotOwner,
    OrderNotActive,
    OrderNotFound,
    responses,
)
from srochno.orders import errors, outcome, service
from srochno.orders.schemas import (
    CompleteIn,
    OrderCreate,
    OrderOut,
    OrderUpdate,
    TakenOrder,
    TakeResult,
)
from srochno.orders.take import take_order
from srochno.orders.takers import router as takers_router
from srochno.schemas import IdempotencyKey, Limit, Offset, Page, SafeStr

router = APIRouter(tags=["orders"])

OrderId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
EDIT_ERRORS = (
    *AUTH_ERRORS,
    NotOwner,
    OrderNotFound,
    errors.OrderAlreadyTaken,
    OrderNotActive,
)


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


@router.post(
    "/api/orders",
    status_code=201,
    response_model=OrderOut,
    responses=responses(*AUTH_ERRORS, errors.ContactInDescription),
)
async def create_order(
    body: OrderCreate, request: Request, response: Response, user: CurrentUser, session: DbSession
) -> OrderOut:
    """Post an urgent job (free). It is listed for `ORDER_LIFETIME_MINUTES`."""
    settings = _settings(request)
    order = await service.create_order(session, settings, user, body)
    response.headers["Location"] = f"/api/orders/{order.id}"
    return service.present(order, settings, order.created_at, viewer_id=user.id, taken_by_me=False)


@router.get("/api/orders", response_model=Page[OrderOut], responses=responses(*AUTH_ERRORS))
async def list_orders(
    request: Request,
    session: DbSession,
    viewer: OptionalUser,
    city: Annotated[SafeStr | None, Query(max_length=64, description="Trimmed, any case")] = None,
    category: Annotated[SafeStr | None, Query(max_length=32)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> Page[OrderOut]:
    """Active, unexpired orders, newest first. Contacts are never listed."""
    city = city.strip() if city is not None else None
    return await service.list_orders(
        session,
        _settings(request),
        viewer,
        city=city or None,
        category=category or None,
        limit=limit,
        offset=offset,
    )


@router.get(
    "/api/orders/{order_id}",
    response_model=OrderOut,
    responses=responses(*AUTH_ERRORS, OrderNotFound),
)
async def read_order(
    order_id: OrderId, request: Request, session: DbSession, viewer: OptionalUser
) -> OrderOut:
    """One order; the contact only for its owner and the executors who took it."""
    return await service.read_order(session, _settings(request), order_id, viewer)


@router.put(
    "/api/orders/{order_id}",
    response_model=OrderOut,
    responses=responses(*EDIT_ERRORS, errors.CityLocked, errors.ContactInDescription),
)
async def update_order(
    order_id: OrderId, body: OrderUpdate, request: Request, user: CurrentUser, session: DbSession
) -> OrderOut:
    """Edit while active and before the first take. The city cannot change."""
    return await service.update_order(session, _settings(request), user, order_id, body)


@router.delete("/api/orders/{order_id}", status_code=204, responses=responses(*EDIT_ERRORS))
async def delete_order(
    order_id: OrderId, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    """Withdraw the order while active and before the first take."""
    await service.delete_order(session, _settings(request), user, order_id)
    return Response(status_code=204)


@router.post(
    "/api/orders/{order_id}/take",
    response_model=TakeResult,
    responses=responses(
        *AUTH_ERRORS,
        errors.OwnOrder,
        OrderNotFound,
        OrderNotActive,
        errors.OrderExpired,
        errors.OrderFull,
        errors.InsufficientBalance,
        IdempotencyKeyConflict,
    ),
)
async def take(
    order_id: OrderId,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    idempotency_key: IdempotencyKey = None,
) -> TakeResult:
    """Pay `take_price` from the balance and see the contact. Repeating it is free and
    answers the same take with `replayed: true`."""
    return await take_order(session, _settings(request), user, order_id, idempotency_key)


@router.post(
    "/api/orders/{order_id}/respond",
    response_model=OrderOut,
    responses=responses(*EDIT_ERRORS[:-2], errors.NoTakes, OrderNotActive),
)
async def respond(
    order_id: OrderId, request: Request, user: CurrentUser, session: DbSession
) -> OrderOut:
    """The owner reacted to the takers: stops the no-response clock (no refunds)."""
    return await outcome.respond(session, _settings(request), user, order_id)


@router.post(
    "/api/orders/{order_id}/complete",
    response_model=OrderOut,
    responses=responses(
        *EDIT_ERRORS[:-2], ExecutorNotTaker, OrderNotActive, errors.CompletionWindowClosed
    ),
)
async def complete(
    order_id: OrderId, body: CompleteIn, request: Request, user: CurrentUser, session: DbSession
) -> OrderOut:
    """The owner marks the job done by one of the takers."""
    return await outcome.complete(session, _settings(request), user, order_id, body.executor_id)


@router.get(
    "/api/users/me/orders", response_model=Page[OrderOut], responses=responses(*AUTH_ERRORS)
)
async def my_orders(
    request: Request, user: CurrentUser, session: DbSession, limit: Limit = 20, offset: Offset = 0
) -> Page[OrderOut]:
    """Orders I created, newest first, with their contacts."""
    return await service.list_my_orders(
        session, _settings(request), user, limit=limit, offset=offset
    )


@router.get(
    "/api/users/me/takes", response_model=Page[TakenOrder], responses=responses(*AUTH_ERRORS)
)
async def my_takes(
    request: Request, user: CurrentUser, session: DbSession, limit: Limit = 20, offset: Offset = 0
) -> Page[TakenOrder]:
    """Orders I took, most recent first, with their contacts."""
    return await service.list_my_takes(
        session, _settings(request), user, limit=limit, offset=offset
    )


# The owner's list of takers lives in its own module (takers.py).
router.include_router(takers_router)
