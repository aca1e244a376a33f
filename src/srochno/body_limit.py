"""Request bodies over 64 KiB are refused early: 413 ``payload_too_large``.

A declared ``Content-Length`` over the limit is answered at once, nothing read; a body
without one (chunked) is counted as it arrives and refused as soon as it passes the limit.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srochno.responses import json_response

MAX_BODY_BYTES = 64 * 1024
MESSAGE = "The request body is larger than 64 KiB"


class BodySizeLimitMiddleware:
    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                if value.isdigit() and int(value) <= self.limit:
                    await self.app(scope, receive, send)
                    return
                refusal = json_response(
                    {"detail": MESSAGE, "code": "payload_too_large"}, 413, {"Connection": "close"}
                )
                await refusal(scope, receive, send)
                return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # the error handler answers 413
                    raise HTTPException(413, MESSAGE)
            return message

        await self.app(scope, counted_receive, send)
