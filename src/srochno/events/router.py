"""The streams: ``GET /api/orders/stream`` (public) and ``GET /api/users/me/stream``."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Header, Query, Request

from srochno import clock
from srochno.auth.dependencies import optional_user, signed_in_user
from srochno.auth.errors import AUTH_ERRORS, AuthMissing
from srochno.catalog import normalize_city
from srochno.config import Settings
from srochno.db import Record, UnitOfWork
from srochno.errors import DatabaseUnavailable, responses
from srochno.events import repository
from srochno.events.hub import EventHub, Subscriber
from srochno.events.presenter import frame
from srochno.events.stream import EventStream
from srochno.schemas import SafeStr
from srochno.state import SettingsDep, Work, domain_router, held

router = domain_router(tags=["live"])

REPLAY_LIMIT = 1000
MAX_ID = 2**63 - 1
READY_WAIT_SECONDS = 5.0
SSE_EVENT_SCHEMA = {
    "type": "object",
    "properties": {
        "data": {"type": "string"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer", "minimum": 0},
    },
}
STREAM_DOC: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "`text/event-stream`: events, each with `id:` (resume with "
        "`Last-Event-ID`), a `: ping` comment every 15 s, and after `SSE_MAX_SECONDS` a "
        "`retry:` and the end",
        # Each event (OpenAPI 3.2's shape of a Server-Sent Event); `data` is JSON text.
        "content": {"text/event-stream": {"schema": SSE_EVENT_SCHEMA}},
    }
}

LastEventIdQuery = Annotated[
    int | None,
    Query(ge=0, le=MAX_ID, description="Resume after this event id (what `Last-Event-ID` says)"),
]
LastEventIdHeader = Annotated[str | None, Header(alias="Last-Event-ID", include_in_schema=False)]


def hub_of(request: Request) -> EventHub:
    return held(request.app, "hub", EventHub)


def resume_point(header: str | None, query: int | None) -> int | None:
    """The id to resume after: the header (sent by a reconnecting EventSource) wins; a
    malformed one is ignored."""
    if header is not None:
        value = header.strip()
        if value.isdigit() and len(value) <= 19 and int(value) <= MAX_ID:
            return int(value)
    return query


async def ready_hub(request: Request) -> EventHub:
    hub = hub_of(request)
    if not hub.ready.is_set():
        try:
            async with asyncio.timeout(READY_WAIT_SECONDS):
                await hub.ready.wait()
        except TimeoutError:
            raise DatabaseUnavailable() from None
    return hub


async def open_stream(
    request: Request,
    work: UnitOfWork,
    settings: Settings,
    subscriber: Subscriber,
    after: int | None,
) -> EventStream:
    """Subscribe first, then replay from the table: an event committed meanwhile is in
    both, and the subscriber skips what the replay already sent.

    The public feed replays from a read replica when one is usable, and only if the replica
    has every event the listener had passed on when the stream subscribed (ids are given in
    commit order, so having that id means having all below it); else from the primary. A
    user's own events replay from the primary."""
    if work.guard is not None:  # the rate limits are counted on the primary's connection
        await work.connection()
    hub = await ready_hub(request)
    hub.subscribe(subscriber)
    seen = hub.last_id or 0
    try:
        replay: list[Record] = []
        if after is not None:
            subscriber.after = after  # the client has seen those
            since = clock.now() - timedelta(hours=settings.order_events_retention_hours)
            if subscriber.user_id is None:
                conn = await work.public_connection()
                if work.on_replica and await repository.last_id(conn) < seen:
                    conn = await work.connection()  # the replica lacks some: the primary
                replay = await repository.public_after(
                    conn, after, since, subscriber.city_key, subscriber.category, REPLAY_LIMIT
                )
            else:
                conn = await work.connection()
                replay = await repository.personal_after(
                    conn, after, since, subscriber.user_id, REPLAY_LIMIT
                )
            if replay:
                subscriber.replayed_through(replay[-1]["id"])
        timeout = settings.no_response_timeout
        return EventStream(
            hub,
            subscriber,
            b"".join(frame(event, timeout) for event in replay),
            max_seconds=settings.sse_max_seconds,
            heartbeat_seconds=settings.sse_heartbeat_seconds,
            end_after_replay=len(replay) >= REPLAY_LIMIT,
        )
    except BaseException:
        hub.unsubscribe(subscriber)
        raise


@router.get(
    "/api/orders/stream",
    responses={**STREAM_DOC, **responses(DatabaseUnavailable)},
)
async def orders_stream(
    request: Request,
    work: Work,
    settings: SettingsDep,
    city: Annotated[SafeStr | None, Query(max_length=64, description="Trimmed, any case")] = None,
    category: Annotated[SafeStr | None, Query(max_length=32)] = None,
    last_event_id: LastEventIdQuery = None,
    last_event_id_header: LastEventIdHeader = None,
) -> EventStream:
    """The live feed (Server-Sent Events): `order_created` (the order as the list shows
    it), `order_updated` (`id, status, executors_count, slots_left`), `order_closed`
    (`id, status`), optionally of one city and category. No contact ever."""
    city = city.strip() if city else None
    subscriber = Subscriber(
        city_key=normalize_city(city) if city else None, category=category or None
    )
    after = resume_point(last_event_id_header, last_event_id)
    return await open_stream(request, work, settings, subscriber, after)


@router.get(
    "/api/users/me/stream",
    responses={**STREAM_DOC, **responses(*AUTH_ERRORS, DatabaseUnavailable)},
)
async def my_stream(
    request: Request,
    work: Work,
    settings: SettingsDep,
    tma: Annotated[
        str | None,
        Query(
            max_length=16 * 1024,
            description="initData, for EventSource (which cannot send headers); never logged",
        ),
    ] = None,
    last_event_id: LastEventIdQuery = None,
    last_event_id_header: LastEventIdHeader = None,
) -> EventStream:
    """My events (Server-Sent Events): `order_taken` (a take on my order), `refund`,
    `payment_paid`, `balance`. Authenticated by the `Authorization` header or `tma`."""
    header = request.headers.get("authorization") or (f"tma {tma}" if tma else None)
    # Like every authenticated route: the header (or `tma`), else the web session's cookie.
    user = await (signed_in_user(request, header) if header else optional_user(request))
    if user is None:
        raise AuthMissing()
    subscriber = Subscriber(user_id=user.id)
    after = resume_point(last_event_id_header, last_event_id)
    return await open_stream(request, work, settings, subscriber, after)
