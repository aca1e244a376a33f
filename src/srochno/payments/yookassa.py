"""YooKassa's API, as Srochno uses it: create a payment, read one, list them, refund one.

Calls go through ``httpx.AsyncClient`` with Basic auth (shop id, secret key) and an
``Idempotence-Key`` on every POST: YooKassa's own SDK is synchronous and would block the
event loop (docs/decisions.md). The pure parts — what a payment request says, whether a
notification comes from YooKassa, whether a payment pays a top-up — are plain functions.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from srochno.config import Settings
from srochno.enums import RUB_CURRENCY

logger = logging.getLogger(__name__)

PAGE_SIZE = 100  # the most GET /payments returns at once
PAYMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
"""A YooKassa payment id (a UUID in practice); anything else is no payment of theirs."""
SUCCEEDED = "succeeded"
CANCELED = "canceled"
EVENT_SUCCEEDED = "payment.succeeded"
EVENT_CANCELED = "payment.canceled"
RECEIPT_ITEM = {"ru": "Пополнение баланса Srochno", "en": "Srochno balance top-up"}
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class YooKassaError(Exception):
    """YooKassa refused the call or could not be reached; nothing was decided."""


class YooKassaNotFound(YooKassaError):
    """YooKassa knows no such object."""


def rubles(amount_rub: int) -> dict[str, str]:
    """An amount as YooKassa writes it: a decimal string with kopecks, and the currency."""
    return {"value": f"{amount_rub}.00", "currency": RUB_CURRENCY}


def whole_rubles(amount: Any) -> int | None:
    """The whole rubles of YooKassa's ``amount`` object, or None when it is not a whole
    number of rubles in RUB (any other amount pays no top-up of ours)."""
    if not isinstance(amount, dict) or amount.get("currency") != RUB_CURRENCY:
        return None
    value = amount.get("value")
    if not isinstance(value, str) or re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,2})?", value) is None:
        return None
    whole, _, kopecks = value.partition(".")
    if kopecks.strip("0"):
        return None
    return int(whole)


def receipt(customer_email: str, amount_rub: int, vat_code: int, lang: str) -> dict[str, Any]:
    """A 54-FZ receipt of one service paid in full in advance."""
    return {
        "customer": {"email": customer_email},
        "items": [
            {
                "description": RECEIPT_ITEM.get(lang, RECEIPT_ITEM["ru"]),
                "quantity": "1.00",
                "amount": rubles(amount_rub),
                "vat_code": vat_code,
                "payment_mode": "full_prepayment",
                "payment_subject": "service",
            }
        ],
    }


def payment_request(
    settings: Settings, topup_id: str, user_id: int, amount_rub: int, email: str, lang: str
) -> dict[str, Any]:
    """The body of ``POST /payments`` for a top-up: paid at once (``capture``), on
    YooKassa's page, back to the Mini App's balance screen."""
    description = (
        f"Srochno: {amount_rub} ₽" if lang != "ru" else f"Пополнение Srochno: {amount_rub} ₽"
    )
    return {
        "amount": rubles(amount_rub),
        "capture": True,
        "confirmation": {
            "type": "redirect",
            "return_url": settings.webapp_base_url + "#/balance",
        },
        "description": description[:128],
        "metadata": {"topup_id": topup_id, "user_id": str(user_id)},
        "receipt": receipt(email, amount_rub, settings.yookassa_vat_code, lang),
    }


def networks(values: Iterable[str]) -> list[Network]:
    """The settings' networks, checked strictly (a network with host bits set is refused
    at start-up, not silently widened)."""
    return [ipaddress.ip_network(value, strict=True) for value in values]


def from_networks(address: str | None, allowed: Iterable[Network]) -> bool:
    """True when ``address`` (the client's, as uvicorn resolved it) lies in one of the
    ``allowed`` networks. An IPv4 address written as IPv6 (``::ffff:a.b.c.d``) is read as
    the IPv4 one; anything that is not an address is no match."""
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == network.version and ip in network for network in allowed)


@dataclass(frozen=True)
class Notification:
    """What a notification claims (a hint: the payment is read again before anything)."""

    event: str
    payment_id: str


def parse_notification(body: Any) -> Notification | None:
    """The event and payment id of a notification body, or None when it is none."""
    if not isinstance(body, dict) or body.get("type") != "notification":
        return None
    event, payment = body.get("event"), body.get("object")
    if not isinstance(event, str) or not isinstance(payment, dict):
        return None
    payment_id = payment.get("id")
    if not isinstance(payment_id, str) or PAYMENT_ID.fullmatch(payment_id) is None:
        return None
    return Notification(event=event[:64], payment_id=payment_id)


TOPUP_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
USER_ID = re.compile(r"-?[0-9]{1,19}")
"""What our own metadata holds; anything else (a NUL, a long string) names no top-up."""


def metadata_of(payment: dict[str, Any]) -> tuple[str | None, str | None]:
    """The top-up id and user id a payment's metadata names (strings, or None)."""
    metadata = payment.get("metadata")
    if not isinstance(metadata, dict):
        return None, None
    topup_id, user_id = metadata.get("topup_id"), metadata.get("user_id")
    return (
        topup_id if isinstance(topup_id, str) and TOPUP_ID.fullmatch(topup_id) else None,
        user_id if isinstance(user_id, str) and USER_ID.fullmatch(user_id) else None,
    )


def pays_topup(payment: dict[str, Any], topup: Any) -> str | None:
    """Why ``payment`` (as YooKassa answered it) does not pay ``topup``, or None when it
    does: it succeeded, is paid, and its amount, currency and metadata are the top-up's."""
    if payment.get("status") != SUCCEEDED or payment.get("paid") is not True:
        return "not succeeded"
    topup_id, user_id = metadata_of(payment)
    if topup_id != topup["id"] or user_id != str(topup["user_id"]):
        return "metadata"
    if whole_rubles(payment.get("amount")) != topup["amount_rub"]:
        return "amount"
    known = topup["yookassa_payment_id"]
    if known is not None and known != payment.get("id"):
        return "another payment"
    return None


def refunded_rubles(payment: dict[str, Any]) -> int:
    """What YooKassa says it refunded of a payment (0 when nothing)."""
    return whole_rubles(payment.get("refunded_amount")) or 0


class YooKassaClient:
    """The three endpoints, over one ``httpx.AsyncClient`` (the caller closes it)."""

    def __init__(self, settings: Settings, transport: httpx.AsyncBaseTransport | None = None):
        assert settings.yookassa_shop_id
        assert settings.yookassa_secret_key
        self._http = httpx.AsyncClient(
            base_url=settings.yookassa_api_url.rstrip("/") + "/",
            auth=(settings.yookassa_shop_id, settings.yookassa_secret_key),
            timeout=settings.yookassa_timeout_seconds,
            trust_env=False,
            transport=transport,
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        params: dict[str, Any] | None = None,
        idempotence_key: str | None = None,
    ) -> dict[str, Any]:
        headers = {"Idempotence-Key": idempotence_key} if idempotence_key else None
        try:
            response = await self._http.request(
                method, path, json=json, params=params, headers=headers
            )
        except httpx.HTTPError as error:
            raise YooKassaError(f"{method} {path}: {type(error).__name__}") from error
        if response.status_code == 404:
            raise YooKassaNotFound(f"{method} {path}: 404")
        if response.status_code != 200:
            raise YooKassaError(f"{method} {path}: {response.status_code} {response.text[:200]}")
        try:
            body = response.json()
        except ValueError as error:
            raise YooKassaError(f"{method} {path}: not JSON") from error
        if not isinstance(body, dict):
            raise YooKassaError(f"{method} {path}: not an object")
        return body

    async def create_payment(self, body: dict[str, Any], idempotence_key: str) -> dict[str, Any]:
        return await self._call("POST", "payments", json=body, idempotence_key=idempotence_key)

    async def get_payment(self, payment_id: str) -> dict[str, Any]:
        if PAYMENT_ID.fullmatch(payment_id) is None:
            raise YooKassaNotFound(payment_id[:64])
        return await self._call("GET", f"payments/{payment_id}")

    async def payments(self, page_size: int = PAGE_SIZE) -> AsyncIterator[dict[str, Any]]:
        """Every payment of the shop, page by page (YooKassa's ``cursor``)."""
        params: dict[str, Any] = {"limit": page_size}
        while True:
            page = await self._call("GET", "payments", params=params)
            items = page.get("items")
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    yield item
            cursor = page.get("next_cursor")
            if not isinstance(cursor, str) or not cursor:
                return
            params = {"limit": page_size, "cursor": cursor}

    async def refund(self, body: dict[str, Any], idempotence_key: str) -> dict[str, Any]:
        return await self._call("POST", "refunds", json=body, idempotence_key=idempotence_key)
