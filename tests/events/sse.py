"""A small Server-Sent Events reader for the tests: events as dicts, comments kept apart."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class Event:
    event: str | None = None
    data: str = ""
    id: str | None = None
    retry: int | None = None
    comments: list[str] = field(default_factory=list)

    def json(self) -> Any:
        return json.loads(self.data)


class Stream:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.aiter_lines()
        self.ended = False

    async def next(self, seconds: float = 10.0) -> Event:
        """The next block (an event, a comment, a ``retry:``); raises at the stream's end."""
        async with asyncio.timeout(seconds):
            block = Event()
            seen = False
            async for line in self._lines:
                if line == "":
                    if seen:
                        return block
                    continue
                seen = True
                name, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if name == "":
                    block.comments.append(value)
                elif name == "event":
                    block.event = value
                elif name == "data":
                    block.data = f"{block.data}\n{value}" if block.data else value
                elif name == "id":
                    block.id = value
                elif name == "retry":
                    block.retry = int(value)
            self.ended = True
            if seen:
                return block
            raise EOFError("the stream ended")

    async def next_event(self, seconds: float = 10.0) -> Event:
        """The next event with an ``event:`` (comments and heartbeats skipped)."""
        async with asyncio.timeout(seconds):
            while True:
                block = await self.next(seconds)
                if block.event is not None:
                    return block


@asynccontextmanager
async def open_stream(client: httpx.AsyncClient, url: str, **kwargs: Any) -> AsyncIterator[Stream]:
    """A stream whose ``: connected`` comment was read: subscribed on the server."""
    async with client.stream("GET", url, **kwargs) as response:
        assert response.status_code == 200, await response.aread()
        assert response.headers["content-type"].startswith("text/event-stream")
        stream = Stream(response)
        first = await stream.next()
        assert first.comments == ["connected"], first
        yield stream
