"""The floor: the benchmarked routes served by bare Starlette + asyncpg.

A reference for the load runs, not a product: the same routes, the same SQL statements
(copied from what the service sends to PostgreSQL, casts included), the same transactions
(one per request, the user's upsert in its own), the same pure checks (initData, contact
detection, status rules) and the same JSON fields. What it leaves out is the framework:
no dependency injection, no Pydantic models, no ORM, no middleware.

    DATABASE_URL=... TELEGRAM_BOT_TOKEN=... INIT_DATA_MAX_AGE_SECONDS=0 \\
        uvicorn floor_app:app --app-dir bench --port 8001 --workers 2
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from srochno import jobs as queue_sql
from srochno import ratelimit as limits_sql
from srochno.auth.errors import AuthMissing
from srochno.auth.telegram import TelegramUser, validate_init_data
from srochno.catalog import CATEGORIES, normalize_city
from srochno.contacts import find_in_fields
from srochno.errors import AppError
from srochno.geo import Point, area_view, cells_within, public_distance_km, rounded
from srochno.ledger import repository as ledger_sql
from srochno.orders import quota as quota_sql
from srochno.orders import repository as orders_sql
from srochno.orders.errors import OrderNotFound
from srochno.orders.presenter import status_at
from srochno.orders.rules import timing
from srochno.users import repository as users_sql

DATABASE_URL = os.environ["DATABASE_URL"]
BOT_TOKEN = os.environ["TELEGRAM_BOT_TOKEN"]
MAX_AGE = int(os.environ.get("INIT_DATA_MAX_AGE_SECONDS", "3600"))
POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "10"))
LIFETIME = timedelta(minutes=60)
NO_RESPONSE = timedelta(minutes=15)
MAX_EXECUTORS = 3
PRICE = 2
# The limits, as the service runs them (RATE_LIMITS=false: off in both).
LIMITS = os.environ.get("RATE_LIMITS", "true").lower() not in ("false", "0", "no")
IP_PER_MINUTE = int(os.environ.get("RATE_IP_PER_MINUTE", "300"))
USER_LIMITS = {
    "create": (int(os.environ.get("RATE_CREATE_PER_HOUR", "10")), 3600),
    "take": (int(os.environ.get("RATE_TAKE_PER_MINUTE", "60")), 60),
}
MAX_ACTIVE = int(os.environ.get("MAX_ACTIVE_ORDERS_PER_CLIENT", "5"))

# --- SQL: the service's own statements -------------------------------------------------

SELECT_USER = users_sql.SELECT_USER
UPSERT_USER = users_sql.UPSERT_USER
COUNT_FEED, LIST_FEED = orders_sql.feed_statements(True, True, False)
_, LIST_FEED_VIEWER = orders_sql.feed_statements(True, True, True)
NEAR_DEFAULT_RADIUS_KM = float(os.environ.get("GEO_DEFAULT_RADIUS_KM", "5"))
NEAR_MAX_RADIUS_KM = float(os.environ.get("GEO_MAX_RADIUS_KM", "50"))
SELECT_ORDER = orders_sql.SELECT_ORDER
INSERT_ORDER = orders_sql.INSERT_ORDER
TAKE_CONTEXT = orders_sql.TAKE_CONTEXT
WRITE_TAKE = ledger_sql.WRITE_TAKE
HIT_ONE = limits_sql.HIT_ONE
HIT_MANY = limits_sql.HIT_MANY
LOCK_CLIENT = quota_sql.LOCK_CLIENT
COUNT_ACTIVE = quota_sql.COUNT_ACTIVE
ENQUEUE = queue_sql.ENQUEUE  # the notification jobs: a new order's fan-out, a take's message


async def enqueue(conn: asyncpg.Connection, entrypoint: str, payload: Any, key: str) -> None:
    await conn.execute(
        ENQUEUE, [0], [entrypoint], [json.dumps(payload).encode()], [timedelta(0)], [key], ["null"]
    )


# --- errors ----------------------------------------------------------------------------


class Fail(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        self.status, self.code, self.detail = status, code, detail


def error(exc: AppError | Fail) -> JSONResponse:
    return JSONResponse({"detail": exc.detail, "code": exc.code}, status_code=exc.status)


# --- the pure parts ----------------------------------------------------------------------


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def authenticate(request: Request) -> TelegramUser | None:
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() not in ("tma", "bearer") or not credentials:
        raise AuthMissing()
    data = validate_init_data(
        credentials, bot_token=BOT_TOKEN, max_age_seconds=MAX_AGE, now=time.time()
    )
    return data.user


def profile_of(user: TelegramUser) -> tuple[Any, ...]:
    return (
        user.username,
        user.first_name,
        user.last_name,
        user.language_code,
        user.photo_url,
        user.is_premium,
    )


def status_now(order: Any, now: datetime) -> str:
    return status_at(order, now, NO_RESPONSE)


def present(
    order: asyncpg.Record,
    now: datetime,
    viewer_id: int | None,
    taken_by_me: bool,
    in_list: bool = False,
    near: Point | None = None,
) -> dict[str, Any]:
    is_owner = viewer_id is not None and viewer_id == order["owner_id"]
    show_contact = not in_list and (is_owner or taken_by_me)
    cell = order["cell"]
    located = show_contact and order["lat"] is not None
    status = status_now(order, now)
    left = timing(order["expires_at"] if status == "active" else now, now)
    return {
        "id": order["id"],
        "category": order["category"],
        "description": order["description"],
        "city": order["city"],
        "contact": order["contact"] if show_contact else None,
        "contact_hidden": not show_contact,
        "status": status,
        "city_locked": True,
        "created_at": iso(order["created_at"]),
        "expires_at": iso(order["expires_at"]),
        "server_time": iso(now),
        "minutes_left": left.minutes_left,
        "seconds_left": left.seconds_left,
        "executors_count": order["executors_count"],
        "max_executors": order["max_executors"],
        "slots_left": max(0, order["max_executors"] - order["executors_count"]),
        "take_price": order["take_price"],
        "is_owner": is_owner,
        "taken_by_me": taken_by_me,
        "responded_at": iso(order["responded_at"]),
        "completed_executor_id": order["completed_executor_id"],
        "location": {"lat": order["lat"], "lon": order["lon"]} if located else None,
        "address": order["address"] if show_contact else None,
        "area": area_view(cell) if cell is not None else None,
        "distance_km": (
            public_distance_km(near, cell) if cell is not None and near is not None else None
        ),
    }


def profile_json(user: asyncpg.Record) -> dict[str, Any]:
    reviews = user["reviews_count"]
    return {
        "id": user["id"],
        "username": user["username"],
        "first_name": user["first_name"],
        "last_name": user["last_name"],
        "photo_url": user["photo_url"],
        "completed_orders_count": user["completed_orders_count"],
        "average_rating": round(user["rating_sum"] / reviews, 2) if reviews else None,
        "reviews_count": reviews,
        "complaints_count": user["complaints_count"],
        "created_at": iso(user["created_at"]),
        "language_code": user["language_code"],
        "balance": user["balance"],
        "subscribed_categories": list(user["subscribed_categories"]),
        "subscribed_cities": list(user["subscribed_cities"]),
        "notification_frequency": user["notification_frequency"],
    }


# --- database --------------------------------------------------------------------------


async def sync_user(conn: asyncpg.Connection, tg: TelegramUser) -> Any:
    """Read the user; upsert (one statement, its own transaction) only when new or changed."""
    profile = profile_of(tg)
    user = await conn.fetchrow(SELECT_USER, tg.id)
    if user is None or profile != (
        user["username"],
        user["first_name"],
        user["last_name"],
        user["language_code"],
        user["photo_url"],
        user["is_premium"],
    ):
        user = await conn.fetchrow(UPSERT_USER, tg.id, *profile, datetime.now(UTC))
    if user["is_banned"]:
        raise Fail(403, "user_banned", "User is banned")
    return user


async def check_limits(
    conn: asyncpg.Connection, request: Request, tg: TelegramUser | None = None, kind: str = ""
) -> None:
    """The IP's window (and the user's, for create and take) in one statement."""
    if not LIMITS:
        return
    now = time.time()
    ip_key, ip_start = "ip:" + request.client.host, int(now // 60) * 60  # type: ignore[union-attr]
    if tg is None or not kind:
        row = await conn.fetchrow(HIT_ONE, ip_key, ip_start)
        if row["hits"] > IP_PER_MINUTE:
            raise Fail(429, "rate_limited", "Too many requests")
        return
    hits, seconds = USER_LIMITS[kind]
    rows = await conn.fetch(
        HIT_MANY, [ip_key, f"{kind}:{tg.id}"], [ip_start, int(now // seconds) * seconds]
    )
    for row in rows:
        cap = IP_PER_MINUTE if row["key"] == ip_key else hits
        if row["hits"] > cap:
            raise Fail(429, "rate_limited", "Too many requests")


def pool_of(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


# --- routes ----------------------------------------------------------------------------


async def list_orders(request: Request) -> Response:
    try:
        tg = authenticate(request)
    except AppError as exc:
        return error(exc)
    query = request.query_params
    if "near" in query:
        return await list_near(request, tg)
    city = (query.get("city") or "").strip() or None
    category = query.get("category") or None
    limit = int(query.get("limit", "20"))
    offset = int(query.get("offset", "0"))
    if city is None or category is None:
        return JSONResponse({"detail": "city and category needed", "code": "bad"}, 400)
    now = datetime.now(UTC)
    params = (now, now - NO_RESPONSE, normalize_city(city), category)
    pool = pool_of(request)
    try:
        async with pool.acquire() as conn:
            await check_limits(conn, request)
            viewer = await sync_user(conn, tg) if tg is not None else None
            total = await conn.fetchval(COUNT_FEED, *params)
            if viewer is None:
                rows = await conn.fetch(LIST_FEED, *params, limit, offset)
            else:
                rows = await conn.fetch(LIST_FEED_VIEWER, *params, viewer["id"], limit, offset)
    except Fail as exc:
        return error(exc)
    viewer_id = viewer["id"] if viewer is not None else None
    items = [present(row, now, viewer_id, row["taken_by_me"], in_list=True) for row in rows]
    return JSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})


async def list_near(request: Request, tg: TelegramUser | None) -> Response:
    """The near feed's first pages (no cursor): every cell within the radius, nearest
    first, the same two statements as the service."""
    query = request.query_params
    try:
        lat_text, lon_text = query["near"].split(",")
        viewer_at = Point(rounded(float(lat_text)), rounded(float(lon_text)))
        radius = min(float(query.get("radius_km", NEAR_DEFAULT_RADIUS_KM)), NEAR_MAX_RADIUS_KM)
    except ValueError:
        return JSONResponse({"detail": "bad near", "code": "invalid_near"}, 422)
    category = query.get("category") or None
    limit = int(query.get("limit", "20"))
    offset = int(query.get("offset", "0"))
    cells = [cell for _, cell in cells_within(viewer_at, radius)]
    now = datetime.now(UTC)
    count_sql, page_sql = orders_sql.near_statements(category is not None, tg is not None)
    extra: list[Any] = [category] if category is not None else []
    pool = pool_of(request)
    try:
        async with pool.acquire() as conn:
            await check_limits(conn, request)
            viewer = await sync_user(conn, tg) if tg is not None else None
            total = await conn.fetchval(count_sql, now, now - NO_RESPONSE, cells, *extra)
            if viewer is not None:
                extra.append(viewer["id"])
            rows = await conn.fetch(
                page_sql, now, now - NO_RESPONSE, cells, [""] * len(cells), limit + offset, *extra
            )
    except Fail as exc:
        return error(exc)
    rows = rows[offset:]
    viewer_id = viewer["id"] if viewer is not None else None
    items = [
        present(row, now, viewer_id, row["taken_by_me"], in_list=True, near=viewer_at)
        for row in rows
    ]
    last = f"{rows[-1]['cell']}.{rows[-1]['id']}" if len(rows) == limit else None
    return JSONResponse(
        {"items": items, "total": total, "limit": limit, "offset": offset, "next_cursor": last}
    )


async def read_order(request: Request) -> Response:
    try:
        tg = authenticate(request)
    except AppError as exc:
        return error(exc)
    order_id = request.path_params["order_id"]
    pool = pool_of(request)
    try:
        async with pool.acquire() as conn:
            await check_limits(conn, request)
            viewer = await sync_user(conn, tg) if tg is not None else None
            viewer_id = viewer["id"] if viewer is not None else None
            order = await conn.fetchrow(SELECT_ORDER, order_id, viewer_id)
            if order is None or (order["status"] == "deleted" and order["owner_id"] != viewer_id):
                return error(OrderNotFound())
    except Fail as exc:
        return error(exc)
    return JSONResponse(present(order, datetime.now(UTC), viewer_id, order["taken_by_me"]))


def require_user(request: Request) -> TelegramUser:
    tg = authenticate(request)
    if tg is None:
        raise AuthMissing()
    return tg


async def read_me(request: Request) -> Response:
    try:
        tg = require_user(request)
    except AppError as exc:
        return error(exc)
    pool = pool_of(request)
    try:
        async with pool.acquire() as conn:
            await check_limits(conn, request)
            user = await sync_user(conn, tg)
    except Fail as exc:
        return error(exc)
    return JSONResponse(profile_json(user))


def _text(body: dict[str, Any], key: str, low: int, high: int) -> str:
    value = body.get(key)
    if not isinstance(value, str) or "\x00" in value:
        raise Fail(422, "validation_error", f"{key} must be text")
    value = value.strip()
    if not low <= len(value) <= high:
        raise Fail(422, "validation_error", f"{key} must be {low}..{high} characters")
    return value


async def create_order(request: Request) -> Response:
    try:
        tg = require_user(request)
    except AppError as exc:
        return error(exc)
    try:
        body = json.loads(await request.body())
        if not isinstance(body, dict):
            raise Fail(422, "validation_error", "body must be an object")
        category = body.get("category")
        if category not in CATEGORIES:
            raise Fail(422, "validation_error", "unknown category")
        description = _text(body, "description", 10, 2000)
        city = _text(body, "city", 2, 64)
        contact = _text(body, "contact", 3, 128)
        # The service's rule (SPEC §5): each public text alone, then together.
        if find_in_fields({"city": city, "description": description}) is not None:
            raise Fail(422, "contact_in_description", "No contacts in the description")
    except ValueError:
        return error(Fail(422, "validation_error", "body is not JSON"))
    except Fail as exc:
        return error(exc)
    pool = pool_of(request)
    now = datetime.now(UTC)
    order_id = secrets.token_urlsafe(9)
    try:
        async with pool.acquire() as conn:
            await check_limits(conn, request, tg, "create")
            user = await sync_user(conn, tg)
            values = (
                order_id,
                user["id"],
                category,
                description,
                " ".join(city.split()),
                normalize_city(city),
                contact,
                "active",
                MAX_EXECUTORS,
                PRICE,
                0,
                now,
                now,
                now + LIFETIME,
                None,
                None,
                None,
                None,
                None,
            )
            async with conn.transaction():
                await conn.execute(LOCK_CLIENT, user["id"])  # the quota (always on)
                active = await conn.fetchval(COUNT_ACTIVE, user["id"], now, now - NO_RESPONSE)
                if active >= MAX_ACTIVE:
                    raise Fail(409, "too_many_active_orders", "Too many active orders")
                await conn.execute(
                    INSERT_ORDER, *values[:10], values[11], values[13], None, None, None, None
                )  # unlocated: no point, address or cell
                await enqueue(conn, "order_created", {"order_id": order_id}, f"created|{order_id}")
    except Fail as exc:
        return error(exc)
    order = dict(zip(ORDER_KEYS, (*values, None, None, None, None), strict=True))
    return JSONResponse(
        present(order, now, user["id"], False),  # type: ignore[arg-type]
        status_code=201,
        headers={"Location": f"/api/orders/{order_id}"},
    )


ORDER_KEYS = orders_sql.ORDER_FIELDS


async def take_order(request: Request) -> Response:
    try:
        tg = require_user(request)
    except AppError as exc:
        return error(exc)
    order_id = request.path_params["order_id"]
    pool = pool_of(request)
    try:
        async with pool.acquire() as conn:
            await check_limits(conn, request, tg, "take")
            user = await sync_user(conn, tg)
            executor = user["id"]
            async with conn.transaction():
                order = await conn.fetchrow(TAKE_CONTEXT, order_id, executor, None)
                if order is None or (
                    order["status"] == "deleted" and order["owner_id"] != executor
                ):
                    raise Fail(404, "order_not_found", "Order not found")
                if order["owner_id"] == executor:
                    raise Fail(403, "own_order", "You cannot take your own order")
                if order["my_taken_at"] is not None:
                    existing = {
                        "executor_id": executor,
                        "taken_at": order["my_taken_at"],
                        "price_paid": order["my_price_paid"],
                    }
                    return take_result(order, existing, order["balance"], replayed=True)
                now = datetime.now(UTC)
                status = status_now(order, now)
                if status == "expired":
                    raise Fail(409, "order_expired", "The order has expired")
                if status != "active":
                    raise Fail(409, "order_not_active", "The order is not active")
                cap = order["max_executors"]
                if order["executors_count"] >= cap:
                    raise Fail(409, "order_full", f"Maximum {cap} executors reached")
                price = order["take_price"]
                written = await conn.fetchrow(WRITE_TAKE, order_id, executor, price, now, None)
                if written["balance"] is None:
                    raise Fail(402, "insufficient_balance", f"Insufficient balance. Need {price}₽")
                balance = written["balance"]
                event, owner = f"taken:{order_id}:{executor}", order["owner_id"]
                data = {"order_id": order_id, "category": order["category"]}
                message = {"event": event, "user": owner, "kind": "order_taken", "data": data}
                await enqueue(conn, "send", message, f"{event}|{owner}")
                updated = {
                    **dict(order),
                    "executors_count": order["executors_count"] + 1,
                    "first_taken_at": order["first_taken_at"] or now,
                }
                take = {"executor_id": executor, "taken_at": now, "price_paid": price}
    except Fail as exc:
        return error(exc)
    return take_result(updated, take, balance, replayed=False)


def take_result(order: Any, take: Any, balance: int, *, replayed: bool) -> JSONResponse:
    return JSONResponse(
        {
            "order": present(order, datetime.now(UTC), take["executor_id"], True),
            "take": {
                "taken_at": iso(take["taken_at"]),
                "price_paid": take["price_paid"],
                "refunded_at": None,
            },
            "balance": balance,
            "replayed": replayed,
        }
    )


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    app.state.pool = await asyncpg.create_pool(
        DATABASE_URL,
        min_size=1,
        max_size=2 * POOL_SIZE,
        max_inactive_connection_lifetime=1800,
        server_settings={"application_name": "srochno-floor"},
    )
    gc.collect()  # as the service does once started (srochno.app.freeze_heap)
    gc.freeze()
    try:
        yield
    finally:
        await app.state.pool.close()


app = Starlette(
    routes=[
        Route("/api/orders", list_orders, methods=["GET"]),
        Route("/api/orders", create_order, methods=["POST"]),
        Route("/api/orders/{order_id}", read_order, methods=["GET"]),
        Route("/api/orders/{order_id}/take", take_order, methods=["POST"]),
        Route("/api/users/me", read_me, methods=["GET"]),
    ],
    lifespan=lifespan,
)
