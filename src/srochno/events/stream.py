"""A stream as a plain ASGI response: the frames a subscriber collects, written as they
come (a burst in one write), a heartbeat comment when idle, and after ``SSE_MAX_SECONDS``
a ``retry:`` and the end, so clients reconnect (with ``Last-Event-ID``) and a server can
shut down gracefully."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from srochno.events.hub import EventHub, Subscriber
from srochno.events.presenter import CONNECTED, HEARTBEAT, retry_frame

RETRY_MS = 3000
HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),  # nginx: do not buffer this response
]


class EventStream(Response):
    media_type = "text/event-stream"

    def __init__(
        self,
        hub: EventHub,
        subscriber: Subscriber,
        replay: bytes,
        *,
        max_seconds: float,
        heartbeat_seconds: float,
        end_after_replay: bool = False,
    ) -> None:
        self.status_code = 200
        self.background = None
        self.hub = hub
        self.subscriber = subscriber
        self.replay = replay
        self.max_seconds = max_seconds
        self.heartbeat_seconds = heartbeat_seconds
        self.end_after_replay = end_after_replay

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        subscriber = self.subscriber
        watcher = asyncio.create_task(_watch_disconnect(receive, subscriber))
        try:
            await self._stream(send)
        finally:
            self.hub.unsubscribe(subscriber)
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _stream(self, send: Send) -> None:
        subscriber = self.subscriber
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.max_seconds
        await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
        await _write(send, CONNECTED + self.replay)
        if self.end_after_replay:  # more to replay than one answer holds: come back for it
            await self._end(send)
            return
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            try:
                async with asyncio.timeout(min(self.heartbeat_seconds, remaining)):
                    await subscriber.wake.wait()
            except TimeoutError:
                if loop.time() < deadline:
                    await _write(send, HEARTBEAT)
                continue
            subscriber.wake.clear()
            if subscriber.closed:
                return
            if subscriber.overflowed or subscriber.stopping:
                break  # too slow a reader (it replays from the table), or a shutdown
            data = subscriber.take()
            if data:
                await _write(send, data)
        await self._end(send)

    async def _end(self, send: Send) -> None:
        await send(
            {"type": "http.response.body", "body": retry_frame(RETRY_MS), "more_body": False}
        )


async def _write(send: Send, data: bytes) -> None:
    await send({"type": "http.response.body", "body": data, "more_body": True})


async def _watch_disconnect(receive: Receive, subscriber: Subscriber) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            subscriber.close()
            return
