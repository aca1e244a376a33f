"""The ASGI application: ``create_app(settings)``."""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.middleware import Middleware
from starlette.routing import BaseRoute

from srochno import __version__
from srochno.admin.mount import mount_admin
from srochno.auth.address_router import router as address_router
from srochno.auth.dependencies import optional_user
from srochno.auth.router import router as auth_router
from srochno.bot.dispatcher import build_dispatcher
from srochno.bot.router import router as bot_router
from srochno.config import Settings, load_settings
from srochno.db import Database, create_engine
from srochno.docs import add_docs, build_openapi
from srochno.edge import RequestEdge
from srochno.embedded import database_url
from srochno.error_handlers import BusyOrUnavailable, install_error_handlers
from srochno.events.live import start_live
from srochno.events.router import router as live_router
from srochno.health import router as health_router
from srochno.ledger.router import router as ledger_router
from srochno.logs import configure_logging
from srochno.monitoring.multiprocess import worker_exited
from srochno.monitoring.scrape import metrics
from srochno.monitoring.sentry import init_sentry
from srochno.notifications.router import router as email_router
from srochno.orders.router import router as orders_router
from srochno.payments.router import router as payments_router
from srochno.payments.topups_router import close_clients
from srochno.payments.topups_router import notifications as yookassa_router
from srochno.payments.topups_router import router as topups_router
from srochno.push.router import router as push_router
from srochno.ratelimit import Limiter
from srochno.reviews.router import router as reviews_router
from srochno.shutdown import CLOSE_SECONDS, GracefulStop, finish
from srochno.staff.first_admin import create_first_admin
from srochno.state import app_database, app_limiter
from srochno.telegram.client import create_bot
from srochno.users.router import router as users_router
from srochno.webapp.pwa import router as pwa_router
from srochno.webapp.router import router as webapp_router
from srochno.worker.heartbeat import Heartbeat
from srochno.worker.run import run_elected_worker

logger = logging.getLogger(__name__)

JOB_POOL_SIZE = 2

DESCRIPTION = """
Backend of the Srochno Telegram Mini App: clients post urgent jobs for free, executors pay
a small fixed price to take a job and see the client's contact.

**Authentication**: `Authorization: tma <initData>` (or `Bearer <initData>`), where
`<initData>` is `window.Telegram.WebApp.initData`. In development, `srochno initdata
--user-id 42` prints one signed for the configured bot token.

**Errors** are `{"detail": "...", "code": "..."}`; the `code` is stable.
"""


HOT_ROUTES = (
    ("GET", "/api/orders"),
    ("GET", "/api/orders/stream"),  # before the order's route: "stream" is not an order id
    ("GET", "/api/orders/{order_id}"),
    ("GET", "/api/users/me"),
    ("POST", "/api/orders/{order_id}/take"),
    ("POST", "/api/orders"),
)
"""Matched first, in this order: a request is matched against the routes one by one, and
each try costs FastAPI a few microseconds."""


def add_routes(app: FastAPI, *routers: APIRouter) -> None:
    """The routers' routes, placed in the application's own router: the hot ones first,
    then the others in order.

    ``include_router`` keeps each router as a branch that FastAPI matches on every request
    (the branch, then its routes, and again to dispatch): a tenth of the CPU of a request
    here. The domain routers carry their full paths and tags themselves and take nothing
    from being included, so their routes are added as they are.
    """
    for router in routers:
        assert not router.dependencies, "a router's own dependencies apply only when included"
    routes = [route for router in routers for route in router.routes]

    def rank(route: BaseRoute) -> int:
        methods = getattr(route, "methods", None) or ()
        path = getattr(route, "path", None)
        ranks = [HOT_ROUTES.index((m, path)) for m in methods if (m, path) in HOT_ROUTES]
        return min(ranks, default=len(HOT_ROUTES))

    # Before FastAPI's own documentation routes, which every request would be matched
    # against first. (sorted() is stable: the other routes keep their order.)
    app.router.routes[:0] = sorted(routes, key=rank)


_heap_frozen = False


def freeze_heap() -> None:
    """Once per process, when the first application has started: what it built to serve
    (modules, routes, models, the pools) lives as long as the process, so the garbage
    collector's full passes leave it out (``gc.freeze``) instead of walking it again on
    every pass while requests run. Garbage is collected first, so none is kept for good."""
    global _heap_frozen
    if not _heap_frozen:
        _heap_frozen = True
        gc.collect()
        gc.freeze()


def create_app(settings: Settings | None = None, *, run_jobs: bool = True) -> FastAPI:
    if settings is None:  # started by a server process: read the environment
        settings = load_settings()
        configure_logging(settings.log_level, settings.logs_as)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = settings.database_url
        if url is None:
            url = await asyncio.to_thread(database_url, settings)
        # Application code: asyncpg. The admin's list views: a small SQLAlchemy engine.
        # Requests go through DATABASE_URL (a pooler maybe); LISTEN and the worker's
        # election need their own session: start_live and the worker use DATABASE_DIRECT_URL.
        db = await Database.open(
            url,
            pool_size=settings.db_pool_size,
            command_timeout=settings.db_command_timeout_seconds,
            wait_seconds=settings.db_pool_timeout_seconds,
            pooler=settings.database_pooler,
            replica_urls=settings.database_replica_urls,
            replica_max_lag_seconds=settings.replica_max_lag_seconds,
            connect_timeout=settings.db_connect_timeout_seconds,
        )
        app.state.make_engine = functools.partial(  # the admin's, made on first use
            create_engine,
            url,
            pool_size=JOB_POOL_SIZE,
            command_timeout=settings.db_command_timeout_seconds,
            wait_seconds=settings.db_pool_timeout_seconds,
            pooler=settings.database_pooler,
            connect_timeout=settings.db_connect_timeout_seconds,
        )
        app.state.engine = None
        app.state.db = db
        # One bot per process: its HTTP session is reused by every request.
        bot = create_bot(settings)
        app.state.bot = bot
        app.state.limiter = Limiter.from_settings(settings)
        hub = start_live(settings, url)
        app.state.hub = hub
        graceful = GracefulStop(settings.shutdown_seconds)
        graceful.on_stop(hub.stop_streams)
        graceful.install()
        job: asyncio.Task[None] | None = None
        app.state.worker_heartbeat = None
        if run_jobs and settings.serve_worker:  # one over all server processes
            heartbeat = Heartbeat(settings.worker_heartbeat_seconds)
            app.state.worker_heartbeat = heartbeat
            job = asyncio.create_task(run_elected_worker(settings, url, heartbeat))
            # On the signal it takes no new job; those in hand finish meanwhile.
            graceful.on_stop(job.cancel)
        if settings.first_admin_name and settings.first_admin_password:
            await create_first_admin(db, settings.first_admin_name, settings.first_admin_password)
        freeze_heap()
        try:
            yield
        finally:
            graceful.uninstall()
            await hub.stop()
            if job is not None:  # its jobs in hand finish, within what is left of the time
                await finish(job, max(0.0, graceful.remaining() - CLOSE_SECONDS))
            if bot is not None:
                await bot.session.close()
            await close_clients(app.state)
            if app.state.engine is not None:
                await app.state.engine.dispose()
            await db.close(within=max(0.1, graceful.remaining() - CLOSE_SECONDS / 2))
            worker_exited()

    app = FastAPI(
        # Observability is Prometheus, Sentry and the logs; FastAPI's native OpenTelemetry
        # would otherwise look up the global providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        title="Srochno",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # srochno.docs serves them (assets from the package, not a CDN)
        redoc_url=None,
        openapi_url=None,
    )
    app.openapi = lambda: build_openapi(app, optional_user)  # type: ignore[method-assign]
    app.state.settings = settings
    app.state.bot = None
    app.state.dispatcher = build_dispatcher()
    init_sentry(settings)
    install_error_handlers(app)
    add_routes(
        app,
        live_router,  # before orders: /api/orders/stream is not an order id
        orders_router,
        users_router,
        ledger_router,
        payments_router,
        topups_router,
        yookassa_router,
        reviews_router,
        auth_router,
        address_router,
        email_router,
        bot_router,
        health_router,
        push_router,
        pwa_router,  # before the page's files: the worker's script is built, not a file
        webapp_router,
    )
    app.add_route("/metrics", metrics, methods=["GET"], include_in_schema=False)
    add_docs(app, settings)
    mount_admin(app, settings, outermost=[Middleware(BusyOrUnavailable)])
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["Location", "X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(
        RequestEdge,
        limiter_of=app_limiter,
        database_of=app_database,
        body_timeout=settings.body_timeout_seconds,
    )
    return app
