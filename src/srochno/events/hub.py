"""The process's one LISTEN connection and the fan-out to its streams.

Each server process holds one dedicated connection that LISTENs on ``srochno_events``. A
notification carries only an event id, and is only a wake-up: the hub then reads every
event after the last one it has seen (``id > last``) from the table, in id order, and
hands each frame to the streams whose filters match. Because event ids are given at
commit under one lock (migration ``0007_live``), ids grow in commit order and "after the
last one seen" can never skip an event committed late.

Recovery: if the connection is lost (a restart, ``pg_terminate_backend``), the hub
reconnects, LISTENs again and reads the gap from the table, from the last id it
delivered. A safety poll every ``POLL_SECONDS`` reads the table even without a
notification (a notification lost with a half-dead connection costs that much delay).

Each stream has a bounded buffer (``MAX_PENDING`` frames): a client that does not read
fast enough is disconnected with a ``retry:`` hint rather than holding memory; it comes
back with ``Last-Event-ID`` and replays what it missed from the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable
from datetime import timedelta

import asyncpg

from srochno.db import APPLICATION_NAME, CONNECT_TIMEOUT_SECONDS
from srochno.events import repository
from srochno.events.presenter import frame

logger = logging.getLogger(__name__)

POLL_SECONDS = 2.0
BATCH_SECONDS = 0.07
"""The table is read at most this often (from one read's start to the next): a notification
after a quiet spell is read at once, and during a burst what committed meanwhile is read
together, so each stream gets one write per read instead of one per event."""
READ_LIMIT = 1000
MAX_PENDING = 1000
RECONNECT_SECONDS = (0.1, 0.5, 1.0, 2.0, 5.0)


class Subscriber:
    """One open stream: what it wants, and the frames waiting for it."""

    __slots__ = (
        "after",
        "category",
        "city_key",
        "closed",
        "frames",
        "overflowed",
        "stopping",
        "user_id",
        "wake",
    )

    def __init__(
        self,
        *,
        city_key: str | None = None,
        category: str | None = None,
        user_id: int | None = None,
    ) -> None:
        self.city_key = city_key
        self.category = category
        self.user_id = user_id
        self.after = 0
        """Frames of this id or below were replayed already: skipped."""
        self.frames: list[tuple[int, bytes]] = []
        self.wake = asyncio.Event()
        self.overflowed = False
        self.closed = False
        """The client went away."""
        self.stopping = False
        """The server stops: the stream ends with ``retry:``."""

    def push(self, event_id: int, data: bytes) -> None:
        if event_id <= self.after or self.overflowed:
            return
        if len(self.frames) >= MAX_PENDING:
            self.overflowed = True
            self.frames.clear()
        else:
            self.frames.append((event_id, data))
        self.wake.set()

    def replayed_through(self, event_id: int) -> None:
        """The replay sent every event up to ``event_id``: drop those pushed meanwhile
        (the hub may dispatch while the replay is read) and skip them from now on."""
        self.after = max(self.after, event_id)
        self.frames = [(i, data) for i, data in self.frames if i > self.after]

    def take(self) -> bytes:
        data = b"".join(data for _, data in self.frames)
        self.frames.clear()
        return data

    def close(self) -> None:
        self.closed = True
        self.wake.set()

    def stop(self) -> None:
        self.stopping = True
        self.wake.set()


class EventHub:
    def __init__(self, url: str, no_response_timeout: timedelta) -> None:
        self.url = url
        self.no_response_timeout = no_response_timeout
        self.public: set[Subscriber] = set()
        self.personal: dict[int, set[Subscriber]] = {}
        self.last_id: int | None = None
        self.ready = asyncio.Event()
        self.reconnects = 0
        self._notified = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.connection: asyncpg.Connection | None = None
        self.stopping = False
        """The process is stopping: every stream ends with ``retry:``, new ones at once."""

    # --- streams -------------------------------------------------------------------------

    def subscribe(self, subscriber: Subscriber) -> None:
        if self.stopping:
            subscriber.stop()
        if subscriber.user_id is None:
            self.public.add(subscriber)
        else:
            self.personal.setdefault(subscriber.user_id, set()).add(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        if subscriber.user_id is None:
            self.public.discard(subscriber)
            return
        group = self.personal.get(subscriber.user_id)
        if group is not None:
            group.discard(subscriber)
            if not group:
                del self.personal[subscriber.user_id]

    @property
    def streams(self) -> int:
        return len(self.public) + sum(len(group) for group in self.personal.values())

    def dispatch(self, events: Iterable[asyncpg.Record]) -> None:
        """Hand each event to the streams it is for; an event nobody here follows is not
        even presented (most processes have few streams, every process reads every event)."""
        for event in events:
            subscribers = self._following(event)
            if subscribers:
                data = frame(event, self.no_response_timeout)
                for subscriber in subscribers:
                    subscriber.push(event["id"], data)

    def _following(self, event: asyncpg.Record) -> list[Subscriber]:
        user_id = event["user_id"]
        if user_id is not None:
            return list(self.personal.get(user_id, ()))
        city_key, category = event["city_key"], event["category"]
        return [
            subscriber
            for subscriber in self.public
            if (subscriber.city_key is None or subscriber.city_key == city_key)
            and (subscriber.category is None or subscriber.category == category)
        ]

    # --- the listener --------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="srochno-event-listener")

    def stop_streams(self) -> None:
        """End every open stream now (with ``retry:``, so clients come back elsewhere or
        after the restart): a graceful stop does not wait for streams that never end."""
        self.stopping = True
        for subscriber in [*self.public, *(s for g in self.personal.values() for s in g)]:
            subscriber.stop()

    @property
    def listening(self) -> bool:
        """The listener holds its connection (for readiness)."""
        return (
            self.ready.is_set()
            and self.connection is not None
            and not (self.connection.is_closed())
        )

    async def stop(self) -> None:
        self.stop_streams()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _on_notify(self, *_: object) -> None:
        self._notified.set()

    def _on_lost(self, *_: object) -> None:
        self._notified.set()

    async def _run(self) -> None:
        failures = 0
        while True:
            conn: asyncpg.Connection | None = None
            try:
                conn = await asyncpg.connect(
                    self.url,
                    timeout=CONNECT_TIMEOUT_SECONDS,
                    server_settings={"application_name": f"{APPLICATION_NAME}-listener"},
                )
                self.connection = conn
                await conn.add_listener(repository.CHANNEL, self._on_notify)
                conn.add_termination_listener(self._on_lost)
                if self.last_id is None:
                    self.last_id = await repository.last_id(conn)
                else:
                    self.reconnects += 1
                    logger.info("event listener reconnected, reading from id %d", self.last_id)
                self.ready.set()
                failures = 0
                await self._listen(conn)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                delay = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                logger.warning(
                    "event listener connection lost (%s), reconnecting in %.1f s",
                    type(error).__name__,
                    delay,
                )
                await asyncio.sleep(delay)
            finally:
                self.connection = None
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.terminate()

    async def _listen(self, conn: asyncpg.Connection) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._notified.clear()
            started = loop.time()
            await self._read(conn)
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_SECONDS):
                    await self._notified.wait()
            if conn.is_closed():
                raise ConnectionError("the listener connection was closed")
            await asyncio.sleep(max(0.0, started + BATCH_SECONDS - loop.time()))

    async def _read(self, conn: asyncpg.Connection) -> None:
        assert self.last_id is not None
        while True:
            events = await repository.events_after(conn, self.last_id, READ_LIMIT)
            if not events:
                return
            self.dispatch(events)
            self.last_id = events[-1]["id"]
            if len(events) < READ_LIMIT:
                return
