"""Rate limits, counted across every process: per Telegram user (create, take, invoice)
and per client IP on every route. Over a limit: 429 ``rate_limited`` with ``Retry-After``.

Fixed windows (a minute, an hour), counted in one of two stores:

* PostgreSQL (the default): one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` on the
  unlogged ``rate_limit_windows`` table, run on the connection the request's unit of work
  takes anyway, as its first statement: one round trip and no extra pool acquire. A
  route limited per user counts its user key in the same statement.
* Redis (``REDIS_URL``): the ``limits`` library's async Redis storage and fixed-window
  strategy (one round trip per key, the keys of a request counted concurrently).

If the store fails, the request passes and a warning is logged. A route that never uses
the database is counted by the request's edge (``srochno.edge``) when its response starts.

The client IP is the peer's address; uvicorn replaces it by the ``X-Forwarded-For`` one
only when the peer is in ``FORWARDED_ALLOW_IPS``. Behind a proxy that is not named there
every user shares the proxy's address: when the per-IP limit trips for a loopback or
private address the warning names the setting.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.types import Message, Scope

from srochno import clock, metrics
from srochno.config import Settings
from srochno.db import Connection, Database
from srochno.errors import AppError
from srochno.responses import dumps

logger = logging.getLogger(__name__)

GUARD = "srochno.rate_guard"
UNLIMITED_PATHS = frozenset({"/telegram/webhook"})
"""Telegram's own servers, authenticated by the webhook secret: their bursts are not abuse."""
WARNING_INTERVAL_SECONDS = 60.0


class RateLimited(AppError):
    status = 429
    code = "rate_limited"
    message = "Too many requests, try again later"

    def __init__(self, retry_after: int) -> None:
        super().__init__()
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}  # type: ignore[misc]


@dataclass(frozen=True, slots=True)
class Limit:
    name: str
    """``ip``, ``create``, ``take``, ``invoice``, ``report``: the metric's label and the key's
    prefix."""
    hits: int
    seconds: int


# --- stores ------------------------------------------------------------------------------

# $1 key, $2 the window's start (epoch seconds). A counter of an older window restarts at
# 1; a request late for a window already replaced counts in the newer one.
HIT_ONE = """
INSERT INTO rate_limit_windows AS w (key, window_start, hits) VALUES ($1, $2, 1)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN w.window_start >= excluded.window_start THEN w.hits + 1 ELSE 1 END,
    window_start = greatest(w.window_start, excluded.window_start)
RETURNING hits, window_start
"""
HIT_MANY = """
INSERT INTO rate_limit_windows AS w (key, window_start, hits)
SELECT key, start, 1 FROM unnest($1::text[], $2::bigint[]) AS t(key, start)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN w.window_start >= excluded.window_start THEN w.hits + 1 ELSE 1 END,
    window_start = greatest(w.window_start, excluded.window_start)
RETURNING key, hits, window_start
"""
LONGEST_WINDOW_SECONDS = 3600


class Store(Protocol):
    async def hit(
        self, conn: Connection | None, keys: list[tuple[str, Limit]], now: float
    ) -> list[tuple[int, float]]:
        """Count one hit of each key; per key its hits in the window and the window's end."""
        ...

    @property
    def uses_connection(self) -> bool: ...


def window_start(now: float, seconds: int) -> int:
    return int(now // seconds) * seconds


class PostgresStore:
    uses_connection = True

    async def hit(
        self, conn: Connection | None, keys: list[tuple[str, Limit]], now: float
    ) -> list[tuple[int, float]]:
        assert conn is not None
        if len(keys) == 1:
            key, limit = keys[0]
            row = await conn.fetchrow(HIT_ONE, key, window_start(now, limit.seconds))
            assert row is not None
            return [(row["hits"], row["window_start"] + limit.seconds)]
        rows = await conn.fetch(
            HIT_MANY,
            [key for key, _ in keys],
            [window_start(now, limit.seconds) for _, limit in keys],
        )
        by_key = {row["key"]: row for row in rows}
        return [
            (by_key[key]["hits"], by_key[key]["window_start"] + limit.seconds)
            for key, limit in keys
        ]


class RedisStore:
    """``limits``' fixed window on its async Redis storage (coredis)."""

    uses_connection = False

    def __init__(self, url: str) -> None:
        from limits.aio.storage import RedisStorage

        self.storage: Any = RedisStorage(_async_redis_url(url), key_prefix="srochno")
        self._items: dict[Limit, Any] = {}

    def _item(self, limit: Limit) -> Any:
        item = self._items.get(limit)
        if item is None:
            from limits import RateLimitItemPerSecond

            item = self._items[limit] = RateLimitItemPerSecond(limit.hits, limit.seconds)
        return item

    async def hit(
        self, conn: Connection | None, keys: list[tuple[str, Limit]], now: float
    ) -> list[tuple[int, float]]:
        return list(await asyncio.gather(*(self._hit(key, limit) for key, limit in keys)))

    async def _hit(self, key: str, limit: Limit) -> tuple[int, float]:
        item = self._item(limit)
        # incr counts the hit and returns the window's total (one round trip), like the
        # strategy's hit() does; the window's end is read only for a refusal.
        hits = int(await self.storage.incr(item.key_for(key), item.get_expiry()))
        if hits <= limit.hits:
            return hits, 0.0
        reset = float(await self.storage.get_expiry(item.key_for(key)))
        return hits, reset


def _async_redis_url(url: str) -> str:
    return url if url.startswith("async+") else f"async+{url}"


# --- the limiter -------------------------------------------------------------------------


class Limiter:
    """The process's limits and store."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.store = store
        self.ip = Limit("ip", settings.rate_ip_per_minute, 60)
        self.by_route = {
            ("POST", "/api/orders"): Limit("create", settings.rate_create_per_hour, 3600),
            ("POST", "/api/orders/{order_id}/take"): Limit(
                "take", settings.rate_take_per_minute, 60
            ),
            ("POST", "/api/balance/invoices"): Limit(
                "invoice", settings.rate_invoice_per_minute, 60
            ),
            ("POST", "/api/orders/{order_id}/report"): Limit(
                "report", settings.rate_report_per_hour, 3600
            ),
        }
        self._warned_at = -math.inf

    @classmethod
    def from_settings(cls, settings: Settings) -> Limiter | None:
        if not settings.rate_limits:
            return None
        store: Store = RedisStore(settings.redis_url) if settings.redis_url else PostgresStore()
        return cls(settings, store)

    def user_limit(self, method: str, path: str) -> Limit | None:
        return self.by_route.get((method, path))

    async def check(self, conn: Connection | None, keys: list[tuple[str, Limit]]) -> None:
        now = time.time() + clock.offset_seconds()
        try:
            counted = await self.store.hit(conn, keys, now)
        except Exception as error:
            logger.warning("rate limit store failed, request let through: %s", type(error).__name__)
            return
        for (key, limit), (hits, ends_at) in zip(keys, counted, strict=True):
            if hits > limit.hits:
                metrics.RATE_LIMITED.labels(limit.name).inc()
                if limit.name == "ip":
                    self._warn_shared_address(key)
                raise RateLimited(min(limit.seconds, max(1, math.ceil(ends_at - now))))

    def _warn_shared_address(self, key: str) -> None:
        address = key.partition(":")[2]
        try:
            shared = ipaddress.ip_interface(address).ip
        except ValueError:
            return
        if not (shared.is_private or shared.is_loopback):
            return
        moment = time.monotonic()
        if moment - self._warned_at < WARNING_INTERVAL_SECONDS:
            return
        self._warned_at = moment
        logger.warning(
            "the per-IP rate limit tripped for %s, a loopback or private address: behind a "
            "proxy, name it in FORWARDED_ALLOW_IPS or every user shares its bucket",
            address,
        )


IPV6_CLIENT_PREFIX = 64


def client_key(host: str) -> str:
    """Who a per-IP limit counts: an IPv4 address as it is; an IPv6 address by its /64
    (one subscriber's network: anybody holds a /64, so counting single addresses would
    count nothing); an IPv4 address mapped into IPv6 as the IPv4 one."""
    if ":" not in host:
        return host
    try:
        address = ipaddress.IPv6Address(host.split("%", 1)[0])
    except ValueError:
        return host
    if address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(ipaddress.IPv6Network((address, IPV6_CLIENT_PREFIX), strict=False))


class RequestGuard:
    """One request's limits, counted with its first statement (on the unit of work's
    connection), or when its response starts if it never used the database."""

    __slots__ = ("ip", "limiter", "pending", "user_id", "user_limit")

    def __init__(self, limiter: Limiter, ip: str) -> None:
        self.limiter = limiter
        self.ip = ip
        self.user_limit: Limit | None = None
        self.user_id: int | None = None
        self.pending = True

    def keys(self) -> list[tuple[str, Limit]]:
        keys = [("ip:" + self.ip, self.limiter.ip)]
        if self.user_limit is not None and self.user_id is not None:
            keys.append((f"{self.user_limit.name}:{self.user_id}", self.user_limit))
            self.user_limit = None  # counted
        return keys

    async def on_connection(self, conn: Connection) -> None:
        """The unit of work took its connection: count the IP (and the user, if known)."""
        if self.pending:
            self.pending = False
            await self.limiter.check(conn, self.keys())

    async def on_user(self, conn: Connection, user_id: int) -> None:
        """The request's user is known after its connection was taken: count the user."""
        if self.user_limit is not None:
            limit, self.user_limit = self.user_limit, None
            await self.limiter.check(conn, [(f"{limit.name}:{user_id}", limit)])


def guard_request(scope: Scope, limiter: Limiter | None) -> RequestGuard | None:
    """Put a :class:`RequestGuard` on an HTTP request's scope (none for an unlimited path
    or without limits)."""
    if limiter is None or scope["path"] in UNLIMITED_PATHS:
        return None
    client = scope.get("client")
    guard = RequestGuard(limiter, client_key(client[0]) if client else "unknown")
    scope[GUARD] = guard
    return guard


async def check_at_response(db: Database | None, guard: RequestGuard) -> None:
    """Count a request that never took a database connection, when its response starts
    (raises :class:`RateLimited` over a limit)."""
    if guard.pending:
        guard.pending = False
        await _check_alone(db, guard.limiter, guard)


async def _check_alone(db: Database | None, limiter: Limiter, guard: RequestGuard) -> None:
    if not limiter.store.uses_connection:
        await limiter.check(None, guard.keys())
        return
    if db is None:
        return
    try:
        conn = await db.acquire()
    except Exception:
        return  # the database is down: the response already says so, or needs none
    try:
        await limiter.check(conn, guard.keys())
    finally:
        await db.release(conn)


def refusal(error: RateLimited) -> tuple[Message, Message]:
    """The 429 answer's two messages (its start, its body)."""
    body = dumps({"detail": error.detail, "code": error.code})
    start: Message = {
        "type": "http.response.start",
        "status": 429,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(error.retry_after).encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": body}
