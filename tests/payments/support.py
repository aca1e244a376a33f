"""What the payment tests share: an invoice made through the API, its payment by Telegram."""

from __future__ import annotations

from typing import Any

import httpx

from srochno.config import Settings
from tests.helpers import auth
from tests.telegram_updates import post_update, successful_payment


async def create_invoice(
    client: httpx.AsyncClient, user_id: int, stars: int, **headers: str
) -> dict[str, Any]:
    response = await client.post(
        "/api/balance/invoices", json={"stars": stars}, headers={**auth(user_id), **headers}
    )
    assert response.status_code == 201, response.text
    invoice: dict[str, Any] = response.json()
    return invoice


async def pay(
    client: httpx.AsyncClient,
    settings: Settings,
    user_id: int,
    invoice: dict[str, Any],
    charge_id: str,
    **kwargs: Any,
) -> httpx.Response:
    """Telegram's ``successful_payment`` of the invoice, delivered to the webhook."""
    update = successful_payment(
        user_id, invoice["payment_id"], invoice["stars"], charge_id, **kwargs
    )
    response = await post_update(client, settings, update)
    assert response.status_code == 200, response.text
    return response


async def status_of(client: httpx.AsyncClient, user_id: int, payment_id: str) -> str:
    response = await client.get(f"/api/balance/invoices/{payment_id}", headers=auth(user_id))
    assert response.status_code == 200, response.text
    status: str = response.json()["status"]
    return status
