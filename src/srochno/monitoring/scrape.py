"""``GET /metrics``: the Prometheus text of every worker, plus the figures read from
PostgreSQL at scrape time (the same whichever worker answers)."""

from __future__ import annotations

import logging
from datetime import timedelta

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from srochno import clock
from srochno.config import same_secret
from srochno.db import Connection, Database
from srochno.enums import OrderStatus
from srochno.monitoring.multiprocess import folder
from srochno.orders.rules import no_response_due_sql
from srochno.responses import json_response
from srochno.state import database_of, settings_of
from srochno.worker.heartbeat import MISSED_BEATS, recent_beats

logger = logging.getLogger(__name__)

# The auto-close job's backlog: orders it should have closed by now (both use the partial
# indexes the job itself reads).
DUE_FOR_CLOSE = f"""
SELECT (SELECT count(*) FROM orders WHERE {no_response_due_sql("$1")})
     + (SELECT count(*) FROM orders
        WHERE status = '{OrderStatus.active.value}' AND expires_at <= $2)
"""
# Jobs waiting in the notifications queue (pgqueuer's table), by kind.
QUEUED_JOBS = (
    "SELECT entrypoint, count(*) AS depth FROM pgqueuer WHERE status = 'queued' GROUP BY 1"
)


async def queue_depths(conn: Connection, no_response_timeout_seconds: float) -> dict[str, int]:
    """Work waiting to be done, by queue: ``auto_close`` and each queued job kind."""
    now = clock.now()
    deadline = now - timedelta(seconds=no_response_timeout_seconds)
    depths = {"auto_close": int(await conn.fetchval(DUE_FOR_CLOSE, deadline, now))}
    for row in await conn.fetch(QUEUED_JOBS):
        depths[str(row["entrypoint"])] = int(row["depth"])
    return depths


class QueueDepth(Collector):
    def __init__(self, depths: dict[str, int], beats: dict[str, float], interval: float) -> None:
        self.depths = depths
        self.beats = beats
        self.interval = interval

    def collect(self):  # type: ignore[no-untyped-def]
        gauge = GaugeMetricFamily(
            "srochno_queue_depth", "Work waiting in a queue, read at scrape", labels=["queue"]
        )
        for queue, depth in sorted(self.depths.items()):
            gauge.add_metric([queue], depth)
        yield gauge
        beat = GaugeMetricFamily(
            "srochno_worker_heartbeat_timestamp_seconds",
            "When each running worker process (host:pid) last recorded its heartbeat",
            labels=["worker"],
        )
        for worker, at in sorted(self.beats.items()):
            beat.add_metric([worker], at)
        yield beat
        now = clock.now().timestamp()
        alive = sum(1 for at in self.beats.values() if now - at <= MISSED_BEATS * self.interval)
        yield GaugeMetricFamily(
            "srochno_workers_alive",
            "Worker processes whose heartbeat is recent (within three intervals)",
            value=alive,
        )


def process_metrics() -> bytes:
    """Every process's metrics: the multiprocess files when serving with workers, this
    process's registry otherwise."""
    path = folder()
    if path is None:
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    return generate_latest(registry)


async def database_metrics(
    db: Database, no_response_timeout_seconds: float, heartbeat_seconds: float
) -> bytes:
    try:
        async with db.connection() as conn:
            depths = await queue_depths(conn, no_response_timeout_seconds)
            rows = await recent_beats(conn, heartbeat_seconds)
    except Exception as error:  # a scrape during an outage still reports the rest
        logger.warning("queue depth not read: %s", type(error).__name__)
        return b""
    beats = {row["worker"]: row["beat_at"].timestamp() for row in rows}
    registry = CollectorRegistry()
    registry.register(QueueDepth(depths, beats, heartbeat_seconds))
    return generate_latest(registry)


def authorized(header: str | None, token: str | None) -> bool:
    if not token:
        return True
    scheme, _, credentials = (header or "").partition(" ")
    return scheme.lower() == "bearer" and same_secret(token, credentials.strip())


async def metrics(request: Request) -> Response:
    settings = settings_of(request)
    if not settings.metrics_token and not settings.is_development:
        # Production without a token: the figures are not for the internet.
        return json_response(
            {
                "detail": "Metrics need METRICS_TOKEN in production",
                "code": "metrics_token_required",
            },
            status_code=403,
        )
    if not authorized(request.headers.get("authorization"), settings.metrics_token):
        return json_response(
            {"detail": "A valid metrics token is required", "code": "metrics_unauthorized"},
            status_code=401,
            headers={"WWW-Authenticate": "Bearer"},
        )
    body = process_metrics() + await database_metrics(
        database_of(request),
        settings.no_response_timeout.total_seconds(),
        settings.worker_heartbeat_seconds,
    )
    return Response(body, media_type=CONTENT_TYPE_LATEST)
