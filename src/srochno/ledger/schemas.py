from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from srochno.enums import LedgerType
from srochno.schemas import NO_NUL_PATTERN, CleanText, StrictInt


class BalanceOut(BaseModel):
    balance: int = Field(description="Whole rubles")
    currency: Literal["RUB"] = "RUB"


class RechargeIn(BaseModel):
    amount: Annotated[int, StrictInt] = Field(
        ge=1, le=100_000, description="Whole rubles, 1..100000"
    )
    method: Annotated[
        str,
        StringConstraints(strip_whitespace=True, max_length=32, pattern=NO_NUL_PATTERN),
        CleanText,
    ] = "dev"


class TransactionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    type: LedgerType
    amount: int = Field(description="Negative for debits")
    balance_after: int
    order_id: str | None
    take_id: int | None
    method: str | None
    created_at: datetime


class RechargeOut(BaseModel):
    balance: int
    transaction: TransactionOut
