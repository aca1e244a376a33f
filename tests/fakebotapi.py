"""A fake Telegram Bot API server on loopback, for tests that must not reach Telegram.

It serves ``/bot{token}/{method}`` over real HTTP (uvicorn on a free port, in a thread of
its own), so the real aiogram session, its encoding and its error mapping are exercised.
Bodies may be JSON, urlencoded or multipart. Every call is recorded; calls can be made to
fail, to answer 429 with ``retry_after`` or 403::

    api = FakeBotAPI(); api.start()          # or the ``bot_api`` fixture
    settings.telegram_api_url = api.url
    api.fail("createInvoiceLink", status=500)
    api.calls_of("sendMessage")[0].params["text"]

Policies (``add_policy``) see each call before its method does and may answer instead:
``fail``/``retry_after``/``forbid`` are policies, and so would a per-second rate limit be.
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import itertools
import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

KEEP_ALIVE_SECONDS = 120

START_TIMEOUT_SECONDS = 10.0
WAIT_POLL_SECONDS = 0.02
LONG_POLL_STEP_SECONDS = 0.05
# Form values kept as the strings they are (others are decoded as JSON when they parse).
STRING_FIELDS = frozenset(
    {
        "text",
        "title",
        "description",
        "payload",
        "currency",
        "provider_token",
        "url",
        "secret_token",
        "error_message",
        "telegram_payment_charge_id",
        "pre_checkout_query_id",
        "language_code",
        "caption",
        "parse_mode",
    }
)


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]
    token: str
    at: float
    """``time.monotonic()`` when the call arrived."""
    content_type: str


@dataclass
class RateLimit:
    """Telegram's limits as a policy: more than ``per_second`` calls of ``method`` in any
    second overall, or a call to a chat less than ``chat_gap`` seconds after the previous
    accepted one, is answered 429 ``retry_after`` (and counted in ``refused``)."""

    per_second: float
    chat_gap: float = 1.0
    method: str = "sendMessage"
    retry_after: int = 1
    refused: int = 0

    def __post_init__(self) -> None:
        self._accepted: list[float] = []
        self._last_by_chat: dict[Any, float] = {}
        self.refusals: list[tuple[Call, str]] = []
        """Each refused call, and which limit refused it (``overall``, ``chat``)."""
        self._lock = threading.Lock()

    def __call__(self, call: Call) -> Reply | None:
        if call.method.lower() != self.method.lower():
            return None
        chat = call.params.get("chat_id")
        with self._lock:
            window = [t for t in self._accepted if t > call.at - 1.0]
            self._accepted = window
            last = self._last_by_chat.get(chat)
            overall = len(window) >= self.per_second
            if overall or (last is not None and call.at - last < self.chat_gap):
                self.refused += 1
                self.refusals.append((call, "overall" if overall else "chat"))
                return error_reply(
                    429,
                    f"Too Many Requests: retry after {self.retry_after}",
                    retry_after=self.retry_after,
                )
            self._accepted.append(call.at)
            self._last_by_chat[chat] = call.at
        return None


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]


Policy = Callable[[Call], Reply | None]
"""Sees a call before its method; a reply answers it instead."""


def error_reply(status: int, description: str, **parameters: Any) -> Reply:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return Reply(status, body)


@dataclass
class MethodFailure:
    """Answer ``method`` with ``reply`` (an error, or a success of another shape), ``times``
    times (None: always)."""

    method: str
    reply: Reply
    times: int | None = None

    def __call__(self, call: Call) -> Reply | None:
        if call.method.lower() != self.method.lower() or self.times == 0:
            return None
        if self.times is not None:
            self.times -= 1
        return self.reply


@dataclass
class FakeBotAPI:
    host: str = "127.0.0.1"
    bot_username: str = "srochno_test_bot"
    calls: list[Call] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    star_transactions: list[dict[str, Any]] = field(default_factory=list)
    """What ``getStarTransactions`` pages through (newest last, as tests append)."""
    updates: list[dict[str, Any]] = field(default_factory=list)
    """What ``getUpdates`` hands out (``push_update``)."""
    delays: dict[str, float] = field(default_factory=dict)
    """Seconds a method waits before it is answered (a slow Telegram)."""
    answered_by_policy: list[Call] = field(default_factory=list)
    """The calls a policy answered instead of the method (refused, failed)."""

    def __post_init__(self) -> None:
        self._lock = threading.Condition()
        self._ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- running -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[Route("/bot{token}/{method}", self._endpoint, methods=["GET", "POST"])]
        )
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            access_log=False,
            # Idle connections are kept longer than any client keeps them (aiohttp 15 s,
            # httpx 5 s), as the real services do: the client closes first, so no request
            # is ever sent on a connection the server is closing (ServerDisconnected).
            timeout_keep_alive=KEEP_ALIVE_SECONDS,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Bot API did not start")
            time.sleep(WAIT_POLL_SECONDS)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT_SECONDS)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.policies.clear()
            self.star_transactions.clear()
            self.updates.clear()
            self.delays.clear()
            self.answered_by_policy.clear()

    # --- programming ---------------------------------------------------------------

    def add_policy(self, policy: Policy) -> None:
        with self._lock:
            self.policies.append(policy)

    def fail(
        self,
        method: str,
        *,
        status: int = 500,
        description: str = "Internal Server Error",
        times: int | None = None,
    ) -> None:
        self.add_policy(MethodFailure(method, error_reply(status, description), times))

    def answer(self, method: str, result: Any, *, times: int | None = None) -> None:
        """Answer ``method`` with success and ``result``: one Telegram never sends for it (an
        older or newer Bot API server's shape)."""
        self.add_policy(MethodFailure(method, Reply(200, {"ok": True, "result": result}), times))

    def retry_after(self, method: str, seconds: int, *, times: int | None = 1) -> None:
        reply = error_reply(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        self.add_policy(MethodFailure(method, reply, times))

    def forbid(
        self,
        method: str,
        *,
        description: str = "Forbidden: bot was blocked by the user",
        times: int | None = None,
    ) -> None:
        self.add_policy(MethodFailure(method, error_reply(403, description), times))

    def push_update(self, update: dict[str, Any]) -> None:
        with self._lock:
            self.updates.append(update)
            self._lock.notify_all()

    # --- inspecting ----------------------------------------------------------------

    def messages_to(self, chat_id: int) -> list[Call]:
        """The ``sendMessage`` calls to one chat."""
        return [c for c in self.calls_of("sendMessage") if c.params.get("chat_id") == chat_id]

    def forbid_chat(self, chat_id: int) -> None:
        """``sendMessage`` to ``chat_id`` answers 403 (the user blocked the bot)."""

        def policy(call: Call) -> Reply | None:
            if call.method.lower() == "sendmessage" and call.params.get("chat_id") == chat_id:
                return error_reply(403, "Forbidden: bot was blocked by the user")
            return None

        self.add_policy(policy)

    def delivered_to(self, chat_id: int) -> list[Call]:
        """The ``sendMessage`` calls to one chat that were answered with a message."""
        with self._lock:
            refused = [id(call) for call in self.answered_by_policy]
        return [c for c in self.messages_to(chat_id) if id(c) not in refused]

    async def until_to(self, chat_id: int, count: int = 1, within: float = 60.0) -> list[Call]:
        """The messages delivered to ``chat_id`` once there are at least ``count``."""
        deadline = time.monotonic() + within
        while True:
            found = self.delivered_to(chat_id)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} message(s) to {chat_id} expected, {len(found)}")
            await asyncio.sleep(WAIT_POLL_SECONDS)

    def unstarted_chat(self, chat_id: int) -> set[int]:
        """``sendMessage`` to ``chat_id`` answers Telegram's 403 "bot can't initiate
        conversation" while ``chat_id`` is in the returned set (remove it once the user
        starts the bot or allows writing)."""
        unstarted = {chat_id}

        def policy(call: Call) -> Reply | None:
            chat = call.params.get("chat_id")
            if call.method.lower() == "sendmessage" and chat in unstarted:
                return error_reply(403, "Forbidden: bot can't initiate conversation with a user")
            return None

        self.add_policy(policy)
        return unstarted

    def calls_of(self, method: str) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if call.method.lower() == method.lower()]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """The calls of ``method`` once there are at least ``count`` (bounded wait)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [c for c in self.calls if c.method.lower() == method.lower()]
                if len(found) >= count:
                    return found
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"{count} {method} call(s) expected, {len(found)} made: "
                        f"{[c.method for c in self.calls]}"
                    )
                self._lock.wait(remaining)

    async def until(self, method: str, count: int = 1, within: float = 60.0) -> list[Call]:
        """:meth:`wait_for` for callers on an event loop that must keep running."""
        deadline = time.monotonic() + within
        while True:
            found = self.calls_of(method)
            if len(found) >= count:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} {method} call(s) expected, {len(found)} made")
            await asyncio.sleep(WAIT_POLL_SECONDS)

    # --- serving -------------------------------------------------------------------

    async def _endpoint(self, request: Request) -> JSONResponse:
        token = request.path_params["token"]
        method = request.path_params["method"]
        params = {**decode_values(dict(request.query_params)), **await read_params(request)}
        call = Call(
            method=method,
            params=params,
            token=token,
            at=time.monotonic(),
            content_type=request.headers.get("content-type", ""),
        )
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()
            policies = list(self.policies)
            delay = self.delays.get(method, 0.0)
        if delay:
            await asyncio.sleep(delay)
        for policy in policies:
            reply = policy(call)
            if reply is not None:
                with self._lock:
                    self.answered_by_policy.append(call)
                return JSONResponse(reply.body, status_code=reply.status)
        handler = getattr(self, f"_method_{method.lower()}", None)
        result = await handler(call) if handler is not None else True
        return JSONResponse({"ok": True, "result": result})

    async def _method_getme(self, call: Call) -> dict[str, Any]:
        return {
            "id": int(call.token.split(":")[0]),
            "is_bot": True,
            "first_name": "Srochno test",
            "username": self.bot_username,
        }

    async def _method_sendmessage(self, call: Call) -> dict[str, Any]:
        return {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": call.params.get("chat_id"), "type": "private"},
            "text": call.params.get("text"),
        }

    async def _method_savepreparedinlinemessage(self, call: Call) -> dict[str, Any]:
        return {"id": f"prepared-{next(self._ids)}", "expiration_date": int(time.time()) + 86400}

    async def _method_createinvoicelink(self, call: Call) -> str:
        return f"https://t.me/$fake-invoice-{next(self._ids)}"

    async def _method_getstartransactions(self, call: Call) -> dict[str, Any]:
        offset = int(call.params.get("offset") or 0)
        limit = int(call.params.get("limit") or 100)
        with self._lock:
            page = self.star_transactions[offset : offset + limit]
        return {"transactions": page}

    async def _method_getwebhookinfo(self, call: Call) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def _method_getupdates(self, call: Call) -> list[dict[str, Any]]:
        offset = call.params.get("offset")
        deadline = time.monotonic() + float(call.params.get("timeout") or 0)
        while True:
            with self._lock:
                if offset is not None:  # confirmed: forgotten, as Telegram does
                    self.updates[:] = [u for u in self.updates if u["update_id"] >= int(offset)]
                if self.updates or time.monotonic() >= deadline:
                    return list(self.updates)
            await asyncio.sleep(LONG_POLL_STEP_SECONDS)


async def read_params(request: Request) -> dict[str, Any]:
    """The parameters of a call in any of the encodings the Bot API accepts."""
    body = await request.body()
    if not body:
        return {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        params: dict[str, Any] = json.loads(body)
        return params
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        fields: dict[str, str] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name is None:
                continue
            payload = part.get_payload(decode=True)
            fields[str(name)] = (
                payload.decode() if isinstance(payload, bytes) else str(part.get_content())
            )
        return decode_values(fields)
    return decode_values(dict(parse_qsl(body.decode(), keep_blank_values=True)))


def decode_values(fields: dict[str, str]) -> dict[str, Any]:
    """Form values as the JSON they carry (numbers, booleans, objects), except text."""
    decoded: dict[str, Any] = {}
    for key, value in fields.items():
        if key in STRING_FIELDS:
            decoded[key] = value
            continue
        try:
            decoded[key] = json.loads(value)
        except ValueError:
            decoded[key] = value
    return decoded
