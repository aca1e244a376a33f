from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from srochno.enums import PaymentStatus
from srochno.schemas import StrictInt

STARS_LIMIT = 10_000
"""The most stars one invoice may ask for (Telegram's own limit); ``STARS_MIN`` and
``STARS_MAX`` narrow the range."""


class InvoiceIn(BaseModel):
    stars: Annotated[int, StrictInt] = Field(
        ge=1, le=STARS_LIMIT, description="Stars to pay, STARS_MIN..STARS_MAX (default 1..10000)"
    )


class InvoiceOut(BaseModel):
    payment_id: str
    invoice_url: str = Field(description="For `Telegram.WebApp.openInvoice`")
    stars: int
    amount_rub: int = Field(description="Whole rubles credited once paid")
    status: PaymentStatus
