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

from srochno.auth.errors import AuthMissing
from srochno.auth.telegram import TelegramUser, validate_init_data
from srochno.errors import AppError
from srochno.orders.contact import contains_contact
from srochno.orders.errors import OrderNotFound
from srochno.orders.rules import effective_status, normalize_city, timing
from srochno.users.categories import CATEGORIES

DATABASE_URL = os.environ["DATABASE_URL"]
BOT_TOKEN = os.environ["TELEGRAM_BOT_TOKEN"]
MAX_AGE = int(os.environ.get("INIT_DATA_MAX_AGE_SECONDS", "3600"))
POOL_SIZE = int(os.environ.get("DB_POOL_SIZE", "10"))
LIFETIME = timedelta(minutes=60)
NO_RESPONSE = timedelta(minutes=15)
MAX_EXECUTORS = 3
PRICE = 2

# --- SQL, as the service sends it ------------------------------------------------------

USER_COLUMNS = (
    "users.id, users.username, users.first_name, users.last_name, users.language_code, "
    "users.photo_url, users.is_premium, users.is_banned, users.balance, "
    "users.completed_orders_count, users.rating_sum, users.reviews_count, "
    "users.complaints_count, users.subscribed_categories, users.subscribed_cities, "
    "users.notification_frequency, users.created_at, users.updated_at"
)
ORDER_COLUMNS = (
    "orders.id, orders.owner_id, orders.category, orders.description, orders.city, "
    "orders.city_key, orders.contact, orders.status, orders.max_executors, orders.take_price, "
    "orders.executors_count, orders.created_at, orders.updated_at, orders.expires_at, "
    "orders.first_taken_at, orders.responded_at, orders.completed_at, "
    "orders.completed_executor_id, orders.closed_at"
)
SELECT_USER = f"SELECT {USER_COLUMNS} \nFROM users \nWHERE users.id = $1::BIGINT"
UPSERT_USER = (
    "INSERT INTO users (id, username, first_name, last_name, language_code, photo_url, "
    "is_premium, created_at, updated_at) VALUES ($1::BIGINT, $2::VARCHAR, $3::VARCHAR, "
    "$4::VARCHAR, $5::VARCHAR, $6::VARCHAR, $7::BOOLEAN, $8::TIMESTAMP WITH TIME ZONE, "
    "$9::TIMESTAMP WITH TIME ZONE) ON CONFLICT (id) DO UPDATE SET username = $10::VARCHAR, "
    "first_name = $11::VARCHAR, last_name = $12::VARCHAR, language_code = $13::VARCHAR, "
    "photo_url = $14::VARCHAR, is_premium = $15::BOOLEAN, "
    "updated_at = $16::TIMESTAMP WITH TIME ZONE"
)
FEED_WHERE = (
    "WHERE orders.status = $1::VARCHAR AND orders.expires_at > $2::TIMESTAMP WITH TIME ZONE "
    "AND orders.city_key = $3::VARCHAR AND orders.category = $4::VARCHAR"
)
COUNT_FEED = f"SELECT count(*) AS count_1 \nFROM orders \n{FEED_WHERE}"
LIST_FEED = (
    f"SELECT {ORDER_COLUMNS}, false AS anon_1 \nFROM orders \n{FEED_WHERE} "
    "ORDER BY orders.created_at DESC, orders.id DESC \n LIMIT $5::INTEGER OFFSET $6::INTEGER"
)
LIST_FEED_VIEWER = (
    f"SELECT {ORDER_COLUMNS}, (EXISTS (SELECT * \nFROM takes \n"
    "WHERE takes.order_id = orders.id AND takes.executor_id = $5::BIGINT)) AS anon_1 "
    f"\nFROM orders \n{FEED_WHERE} "
    "ORDER BY orders.created_at DESC, orders.id DESC \n LIMIT $6::INTEGER OFFSET $7::INTEGER"
)
SELECT_ORDER = f"SELECT {ORDER_COLUMNS} \nFROM orders \nWHERE orders.id = $1::VARCHAR"
SELECT_ORDER_FOR_UPDATE = SELECT_ORDER + " FOR UPDATE"
FIND_TAKE = (
    "SELECT takes.id, takes.order_id, takes.executor_id, takes.price_paid, takes.taken_at, "
    "takes.refunded_at, takes.idempotency_key \nFROM takes \n"
    "WHERE takes.order_id = $1::VARCHAR AND takes.executor_id = $2::BIGINT"
)
SELECT_BALANCE = "SELECT users.balance \nFROM users \nWHERE users.id = $1::BIGINT"
INSERT_ORDER = (
    "INSERT INTO orders (id, owner_id, category, description, city, city_key, contact, status, "
    "max_executors, take_price, executors_count, created_at, updated_at, expires_at, "
    "first_taken_at, responded_at, completed_at, completed_executor_id, closed_at) VALUES "
    "($1::VARCHAR, $2::BIGINT, $3::VARCHAR, $4::VARCHAR, $5::VARCHAR, $6::VARCHAR, "
    "$7::VARCHAR, $8::VARCHAR, $9::SMALLINT, $10::BIGINT, $11::SMALLINT, "
    "$12::TIMESTAMP WITH TIME ZONE, $13::TIMESTAMP WITH TIME ZONE, "
    "$14::TIMESTAMP WITH TIME ZONE, $15::TIMESTAMP WITH TIME ZONE, "
    "$16::TIMESTAMP WITH TIME ZONE, $17::TIMESTAMP WITH TIME ZONE, $18::BIGINT, "
    "$19::TIMESTAMP WITH TIME ZONE)"
)
INSERT_TAKE = (
    "INSERT INTO takes (order_id, executor_id, price_paid, taken_at, refunded_at, "
    "idempotency_key) VALUES ($1::VARCHAR, $2::BIGINT, $3::BIGINT, "
    "$4::TIMESTAMP WITH TIME ZONE, $5::TIMESTAMP WITH TIME ZONE, $6::VARCHAR) "
    "RETURNING takes.id"
)
DEBIT = (
    "UPDATE users SET balance=(users.balance + $1::BIGINT) WHERE users.id = $2::BIGINT "
    "AND users.balance + $3::BIGINT >= $4::BIGINT RETURNING users.balance"
)
INSERT_LEDGER = (
    "INSERT INTO ledger_entries (user_id, type, amount, balance_after, order_id, take_id, "
    "method, idempotency_key, created_at) VALUES ($1::BIGINT, $2::VARCHAR, $3::BIGINT, "
    "$4::BIGINT, $5::VARCHAR, $6::BIGINT, $7::VARCHAR, $8::VARCHAR, "
    "$9::TIMESTAMP WITH TIME ZONE) RETURNING ledger_entries.id"
)
COUNT_FIRST_TAKE = (
    "UPDATE orders SET executors_count=$1::SMALLINT, first_taken_at=$2::TIMESTAMP WITH TIME ZONE "
    "WHERE orders.id = $3::VARCHAR"
)
COUNT_TAKE = "UPDATE orders SET executors_count=$1::SMALLINT WHERE orders.id = $2::VARCHAR"


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
    return effective_status(
        order["status"],
        expires_at=order["expires_at"],
        first_taken_at=order["first_taken_at"],
        responded_at=order["responded_at"],
        now=now,
        no_response_timeout=NO_RESPONSE,
    )


def present(
    order: asyncpg.Record,
    now: datetime,
    viewer_id: int | None,
    taken_by_me: bool,
    in_list: bool = False,
) -> dict[str, Any]:
    is_owner = viewer_id is not None and viewer_id == order["owner_id"]
    show_contact = not in_list and (is_owner or taken_by_me)
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


async def sync_user(conn: asyncpg.Connection, pool: asyncpg.Pool, tg: TelegramUser) -> Any:
    """Read the user; write (in its own transaction) only when new or changed."""
    profile = profile_of(tg)
    user = await conn.fetchrow(SELECT_USER, tg.id)
    if user is not None and profile == (
        user["username"],
        user["first_name"],
        user["last_name"],
        user["language_code"],
        user["photo_url"],
        user["is_premium"],
    ):
        if user["is_banned"]:
            raise Fail(403, "user_banned", "User is banned")
        return user
    now = datetime.now(UTC)
    async with pool.acquire() as writer, writer.transaction():
        await writer.execute(UPSERT_USER, tg.id, *profile, now, now, *profile, now)
    user = await conn.fetchrow(SELECT_USER, tg.id)
    if user["is_banned"]:
        raise Fail(403, "user_banned", "User is banned")
    return user


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
    city = (query.get("city") or "").strip() or None
    category = query.get("category") or None
    limit = int(query.get("limit", "20"))
    offset = int(query.get("offset", "0"))
    if city is None or category is None:
        return JSONResponse({"detail": "city and category needed", "code": "bad"}, 400)
    now = datetime.now(UTC)
    params = ("active", now, normalize_city(city), category)
    pool = pool_of(request)
    try:
        async with pool.acquire() as conn, conn.transaction():
            viewer = await sync_user(conn, pool, tg) if tg is not None else None
            total = await conn.fetchval(COUNT_FEED, *params)
            if viewer is None:
                rows = await conn.fetch(LIST_FEED, *params, limit, offset)
            else:
                rows = await conn.fetch(LIST_FEED_VIEWER, *params, viewer["id"], limit, offset)
    except Fail as exc:
        return error(exc)
    viewer_id = viewer["id"] if viewer is not None else None
    items = [present(row, now, viewer_id, bool(row["anon_1"]), in_list=True) for row in rows]
    return JSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})


async def read_order(request: Request) -> Response:
    try:
        tg = authenticate(request)
    except AppError as exc:
        return error(exc)
    order_id = request.path_params["order_id"]
    pool = pool_of(request)
    try:
        async with pool.acquire() as conn, conn.transaction():
            viewer = await sync_user(conn, pool, tg) if tg is not None else None
            viewer_id = viewer["id"] if viewer is not None else None
            order = await conn.fetchrow(SELECT_ORDER, order_id)
            if order is None or (order["status"] == "deleted" and order["owner_id"] != viewer_id):
                return error(OrderNotFound())
            taken = (
                viewer_id is not None
                and await conn.fetchrow(FIND_TAKE, order_id, viewer_id) is not None
            )
    except Fail as exc:
        return error(exc)
    return JSONResponse(present(order, datetime.now(UTC), viewer_id, taken))


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
        async with pool.acquire() as conn, conn.transaction():
            user = await sync_user(conn, pool, tg)
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
        if contains_contact(description):
            raise Fail(422, "contact_in_description", "No contacts in the description")
    except ValueError:
        return error(Fail(422, "validation_error", "body is not JSON"))
    except Fail as exc:
        return error(exc)
    pool = pool_of(request)
    now = datetime.now(UTC)
    order_id = secrets.token_urlsafe(9)
    try:
        async with pool.acquire() as conn, conn.transaction():
            user = await sync_user(conn, pool, tg)
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
            await conn.execute(INSERT_ORDER, *values)
    except Fail as exc:
        return error(exc)
    order = dict(zip(ORDER_KEYS, values, strict=True))
    return JSONResponse(
        present(order, now, user["id"], False),  # type: ignore[arg-type]
        status_code=201,
        headers={"Location": f"/api/orders/{order_id}"},
    )


ORDER_KEYS = [column.split(".")[1] for column in ORDER_COLUMNS.split(", ")]


async def take_order(request: Request) -> Response:
    try:
        tg = require_user(request)
    except AppError as exc:
        return error(exc)
    order_id = request.path_params["order_id"]
    pool = pool_of(request)
    try:
        async with pool.acquire() as conn, conn.transaction():
            user = await sync_user(conn, pool, tg)
            executor = user["id"]
            order = await conn.fetchrow(SELECT_ORDER_FOR_UPDATE, order_id)
            if order is None or (order["status"] == "deleted" and order["owner_id"] != executor):
                raise Fail(404, "order_not_found", "Order not found")
            if order["owner_id"] == executor:
                raise Fail(403, "own_order", "You cannot take your own order")
            existing = await conn.fetchrow(FIND_TAKE, order_id, executor)
            if existing is not None:
                balance = await conn.fetchval(SELECT_BALANCE, executor)
                return take_result(order, existing, balance, replayed=True)
            now = datetime.now(UTC)
            status = status_now(order, now)
            if status == "expired":
                raise Fail(409, "order_expired", "The order has expired")
            if status != "active":
                raise Fail(409, "order_not_active", "The order is not active")
            if order["executors_count"] >= order["max_executors"]:
                raise Fail(409, "order_full", f"Maximum {order['max_executors']} executors reached")
            price = order["take_price"]
            take_id = await conn.fetchval(INSERT_TAKE, order_id, executor, price, now, None, None)
            balance = await conn.fetchval(DEBIT, -price, executor, -price, 0)
            if balance is None:
                raise Fail(402, "insufficient_balance", f"Insufficient balance. Need {price}₽")
            await conn.fetchval(
                INSERT_LEDGER,
                executor,
                "order_take",
                -price,
                balance,
                order_id,
                take_id,
                None,
                None,
                now,
            )
            count = order["executors_count"] + 1
            if order["first_taken_at"] is None:
                await conn.execute(COUNT_FIRST_TAKE, count, now, order_id)
            else:
                await conn.execute(COUNT_TAKE, count, order_id)
            updated = {
                **dict(order),
                "executors_count": count,
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
