"""Request bodies over 64 KiB are refused early: 413 ``payload_too_large``; bodies that
trickle are cut: 408 ``request_timeout``.

A declared ``Content-Length`` over the limit is answered at once, nothing read; a body
without one (chunked) is counted as it arrives and refused as soon as it passes the limit.
A body must arrive whole within ``BODY_TIMEOUT_SECONDS`` of the first read: a client that
sends a byte now and then cannot hold a connection and a task for long. The answer closes
the connection (the rest of the body is never read).
"""

from __future__ import annotations

import asyncio

from starlette.exceptions import HTTPException
from starlette.types import Message, Receive, Scope

from srochno.responses import json_response

MAX_BODY_BYTES = 64 * 1024
MESSAGE = "The request body is larger than 64 KiB"
TIMEOUT_MESSAGE = "The request body did not arrive in time"
DEFAULT_TIMEOUT_SECONDS = 10.0


class BodyRefused(HTTPException):
    """The body was over the limit or too slow (413 or 408): the error handlers answer it,
    also when a layer in between wrapped it into something else (the admin's session
    middleware makes an exception group of it: ``error_handlers.BusyOrUnavailable``)."""


def body_refusal_in(error: BaseException) -> BodyRefused | None:
    """The body's refusal ``error`` is or holds (in an exception group, or as its cause)."""
    seen = 0
    while error is not None and seen < 8:
        if isinstance(error, BodyRefused):
            return error
        if isinstance(error, BaseExceptionGroup):
            for inner in error.exceptions:
                found = body_refusal_in(inner)
                if found is not None:
                    return found
            return None
        error = error.__cause__ or error.__context__  # type: ignore[assignment]
        seen += 1
    return None


TOO_LARGE = json_response(
    {"detail": MESSAGE, "code": "payload_too_large"}, 413, {"Connection": "close"}
)
"""The answer to a declared ``Content-Length`` over the limit."""


class BodyLimit:
    """The request's ``receive`` with the body's limits, applied by the request's edge
    (``srochno.edge``)."""

    def __init__(self, limit: int = MAX_BODY_BYTES, timeout: float = DEFAULT_TIMEOUT_SECONDS):
        self.limit = limit
        self.timeout = timeout

    def receive(self, scope: Scope, receive: Receive) -> Receive | None:
        """``receive`` limited in size and time; ``None`` when the declared length is over
        the limit (answer :data:`TOO_LARGE`, read nothing)."""
        timed = self._timed(receive)
        for name, value in scope["headers"]:
            if name == b"content-length":
                return timed if value.isdigit() and int(value) <= self.limit else None
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await timed()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # the error handler answers 413
                    raise BodyRefused(413, MESSAGE)
            return message

        return counted_receive

    def _timed(self, receive: Receive) -> Receive:
        """``receive`` with a deadline on the body: from the first read until its last part
        (after it, a receive waits for the disconnect, as long as a stream lasts)."""
        deadline: float | None = None
        whole = False

        async def timed_receive() -> Message:
            nonlocal deadline, whole
            if whole:
                return await receive()
            loop = asyncio.get_running_loop()
            if deadline is None:
                deadline = loop.time() + self.timeout
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise BodyRefused(408, TIMEOUT_MESSAGE, {"Connection": "close"}) from None
            if message["type"] != "http.request" or not message.get("more_body", False):
                whole = True
            return message

        return timed_receive
