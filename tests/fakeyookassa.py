"""A fake YooKassa API on loopback, for tests that must not reach YooKassa.

It serves ``/v3/payments`` (create, read, list with a cursor) and ``/v3/refunds`` over
real HTTP (uvicorn on a free port, in a thread of its own), so the service's real
``httpx`` client, its Basic auth and its ``Idempotence-Key`` are exercised. The fake holds
the truth about each payment; tests move it (``succeed``, ``cancel``, ``set_amount``) and
then deliver notifications that are only hints (``notification``), as YooKassa's are::

    kassa = FakeYooKassa(); kassa.start()       # or the ``yookassa`` fixture
    settings.yookassa_api_url = kassa.url
    kassa.succeed(payment_id)
    kassa.outage = True                         # every call answers 503
    kassa.delay = 1.5                           # every call waits first
"""

from __future__ import annotations

import asyncio
import base64
import copy
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

KEEP_ALIVE_SECONDS = 120

START_TIMEOUT_SECONDS = 10.0
WAIT_POLL_SECONDS = 0.02
SHOP_ID = "123456"
SECRET_KEY = "test_fake-secret-key"
YOOKASSA_ADDRESS_V4 = "185.71.76.5"
YOOKASSA_ADDRESS_V6 = "2a02:5180::15"


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: dict[str, Any] | None
    idempotence_key: str | None
    params: dict[str, str]


def notification(payment: dict[str, Any], event: str = "payment.succeeded") -> dict[str, Any]:
    """YooKassa's notification body: the event and the payment as it was (a hint)."""
    return {"type": "notification", "event": event, "object": copy.deepcopy(payment)}


@dataclass
class FakeYooKassa:
    host: str = "127.0.0.1"
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Every payment, by id, in creation order."""
    refunds: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    outage: bool = False
    """Every call answers 503 (YooKassa down)."""
    refuse_refunds: bool = False
    delay: float = 0.0
    """Seconds every call waits before it is answered (a slow YooKassa)."""
    page_limit: int = 100
    """The most payments one page of ``GET /payments`` holds, whatever ``limit`` asks."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[tuple[str, str], dict[str, Any]] = {}
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # --- running -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/v3"

    def settings(self) -> dict[str, Any]:
        """The service's settings that point it at this fake."""
        return {
            "yookassa_shop_id": SHOP_ID,
            "yookassa_secret_key": SECRET_KEY,
            "yookassa_api_url": self.url,
            "yookassa_timeout_seconds": 5,
        }

    def start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        app = Starlette(
            routes=[
                Route("/v3/payments", self._create_payment, methods=["POST"]),
                Route("/v3/payments", self._list_payments, methods=["GET"]),
                Route("/v3/payments/{payment_id}", self._get_payment, methods=["GET"]),
                Route("/v3/refunds", self._create_refund, methods=["POST"]),
            ]
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
                raise RuntimeError("the fake YooKassa did not start")
            time.sleep(WAIT_POLL_SECONDS)

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=START_TIMEOUT_SECONDS)

    def reset(self) -> None:
        with self._lock:
            self.payments.clear()
            self.refunds.clear()
            self.calls.clear()
            self._keys.clear()
            self.outage = self.refuse_refunds = False
            self.delay = 0.0
            self.page_limit = 100

    # --- what tests do -------------------------------------------------------------

    def calls_of(self, method: str, path_prefix: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method and c.path.startswith(path_prefix)]

    def payment(self, payment_id: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self.payments[payment_id])

    def succeed(self, payment_id: str) -> dict[str, Any]:
        """The user paid: the payment succeeded (and is captured)."""
        with self._lock:
            payment = self.payments[payment_id]
            payment.update(status="succeeded", paid=True, captured_at="2026-12-06T10:00:00.000Z")
            payment.pop("confirmation", None)
            return copy.deepcopy(payment)

    def cancel(self, payment_id: str) -> dict[str, Any]:
        with self._lock:
            payment = self.payments[payment_id]
            payment.update(
                status="canceled",
                paid=False,
                cancellation_details={"party": "yoo_money", "reason": "expired_on_confirmation"},
            )
            return copy.deepcopy(payment)

    def set_amount(self, payment_id: str, value: str, currency: str = "RUB") -> None:
        """Change what the payment is for (a forged or mistaken amount)."""
        with self._lock:
            self.payments[payment_id]["amount"] = {"value": value, "currency": currency}

    def add_payment(self, **fields: Any) -> dict[str, Any]:
        """A payment made elsewhere (not through the service's create call)."""
        payment = {
            "id": str(uuid.uuid4()),
            "status": "pending",
            "paid": False,
            "amount": {"value": "100.00", "currency": "RUB"},
            "created_at": "2026-12-06T10:00:00.000Z",
            "metadata": {},
            "test": True,
            "refundable": False,
            **fields,
        }
        with self._lock:
            self.payments[payment["id"]] = payment
        return copy.deepcopy(payment)

    # --- the API -------------------------------------------------------------------

    async def _enter(self, request: Request, body: dict[str, Any] | None) -> JSONResponse | None:
        """Record the call; an error answer when it is refused (auth, outage)."""
        call = Call(
            method=request.method,
            path=request.url.path,
            body=body,
            idempotence_key=request.headers.get("idempotence-key"),
            params=dict(request.query_params),
        )
        with self._lock:
            self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        expected = base64.b64encode(f"{SHOP_ID}:{SECRET_KEY}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return error(401, "invalid_credentials", "Basic auth is wrong")
        if self.outage:
            return error(503, "internal_server_error", "Try again later")
        if request.method == "POST" and not call.idempotence_key:
            return error(400, "invalid_request", "Idempotence-Key is required")
        return None

    async def _create_payment(self, request: Request) -> JSONResponse:
        body = await request.json()
        refused = await self._enter(request, body)
        if refused is not None:
            return refused
        key = (request.url.path, request.headers["idempotence-key"])
        with self._lock:
            known = self._keys.get(key)
            if known is not None:
                return JSONResponse(copy.deepcopy(known))
            payment_id = str(uuid.uuid4())
            payment = {
                "id": payment_id,
                "status": "pending",
                "paid": False,
                "amount": body["amount"],
                "description": body.get("description"),
                "recipient": {"account_id": SHOP_ID, "gateway_id": "1"},
                "created_at": "2026-12-06T10:00:00.000Z",
                "confirmation": {
                    "type": "redirect",
                    "return_url": body["confirmation"]["return_url"],
                    "confirmation_url": f"https://yoomoney.ru/checkout/payments/v2/contract?orderId={payment_id}",
                },
                "test": True,
                "refundable": False,
                "metadata": body.get("metadata", {}),
                "receipt": body.get("receipt"),
            }
            self.payments[payment_id] = payment
            self._keys[key] = payment
            return JSONResponse(copy.deepcopy(payment))

    async def _get_payment(self, request: Request) -> JSONResponse:
        refused = await self._enter(request, None)
        if refused is not None:
            return refused
        with self._lock:
            payment = self.payments.get(request.path_params["payment_id"])
            if payment is None:
                return error(404, "not_found", "Payment not found")
            return JSONResponse(copy.deepcopy(payment))

    async def _list_payments(self, request: Request) -> JSONResponse:
        refused = await self._enter(request, None)
        if refused is not None:
            return refused
        limit = min(int(request.query_params.get("limit", "10")), self.page_limit)
        start = int(request.query_params.get("cursor", "0"))
        with self._lock:
            items = list(self.payments.values())[start : start + limit]
            more = start + limit < len(self.payments)
        page: dict[str, Any] = {"type": "list", "items": copy.deepcopy(items)}
        if more:
            page["next_cursor"] = str(start + limit)
        return JSONResponse(page)

    async def _create_refund(self, request: Request) -> JSONResponse:
        body = await request.json()
        refused = await self._enter(request, body)
        if refused is not None:
            return refused
        if self.refuse_refunds:
            return error(400, "invalid_request", "Refunds are not possible for this payment")
        key = (request.url.path, request.headers["idempotence-key"])
        with self._lock:
            known = self._keys.get(key)
            if known is not None:
                return JSONResponse(copy.deepcopy(known))
            payment = self.payments.get(body.get("payment_id", ""))
            if payment is None or payment["status"] != "succeeded":
                return error(400, "invalid_request", "The payment cannot be refunded")
            refund = {
                "id": str(uuid.uuid4()),
                "payment_id": payment["id"],
                "status": "succeeded",
                "amount": body["amount"],
                "receipt": body.get("receipt"),
                "created_at": "2026-12-06T11:00:00.000Z",
            }
            payment["refunded_amount"] = body["amount"]
            self.refunds.append(refund)
            self._keys[key] = refund
            return JSONResponse(copy.deepcopy(refund))


def error(status: int, code: str, description: str) -> JSONResponse:
    return JSONResponse(
        {"type": "error", "id": str(uuid.uuid4()), "code": code, "description": description},
        status_code=status,
    )
