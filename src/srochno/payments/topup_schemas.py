"""The top-ups' request and response models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from srochno.enums import TopupStatus
from srochno.schemas import EmailAddress, StrictInt

TOPUP_LIMIT = 1_000_000
"""The most rubles one top-up may ask for; ``TOPUP_MIN_RUB``..``TOPUP_MAX_RUB`` narrow it."""


class TopupIn(BaseModel):
    amount_rub: Annotated[int, StrictInt] = Field(
        ge=1, le=TOPUP_LIMIT, description="Whole rubles, TOPUP_MIN_RUB..TOPUP_MAX_RUB"
    )
    email: EmailAddress | None = Field(
        default=None,
        description="Where YooKassa sends the receipt; needed once, then kept",
    )


class TopupOut(BaseModel):
    topup_id: str
    confirmation_url: str | None = Field(
        description="YooKassa's payment page: open it with `Telegram.WebApp.openLink`"
    )
    amount_rub: int
    status: TopupStatus
