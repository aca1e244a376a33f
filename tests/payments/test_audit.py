"""``srochno audit`` checks payments against the ledger: it finds what is wrong."""

from __future__ import annotations

from sqlalchemy import text

from srochno.ledger.audit import audit
from tests.payments.support import create_invoice, pay

PAYER = 5501


async def violations(engine) -> dict:
    async with engine.connect() as connection:
        return (await audit(connection, 3)).violations


async def test_a_charge_without_its_credit_is_found(client, settings, bot_api, engine):
    invoice = await create_invoice(client, PAYER, 8)
    await pay(client, settings, PAYER, invoice, "charge-audit")
    assert await violations(engine) == {}
    async with engine.begin() as conn:  # the credit vanishes, the balance with it
        await conn.execute(text("DELETE FROM ledger_entries"))
        await conn.execute(text("UPDATE users SET balance = 0"))
    found = await violations(engine)
    assert set(found) == {"exactly one credit per Stars charge, to its payer, for its amount"}


async def test_a_paid_payment_without_a_charge_is_found(client, bot_api, engine):
    invoice = await create_invoice(client, PAYER, 8)
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE payments SET status = 'paid' WHERE id = :id"),
            {"id": invoice["payment_id"]},
        )
    found = await violations(engine)
    assert set(found) == {"a payment's status follows its charges, all of its payer"}


async def test_a_refunded_charge_without_its_debit_is_found(client, settings, bot_api, engine):
    invoice = await create_invoice(client, PAYER, 8)
    await pay(client, settings, PAYER, invoice, "charge-audit-r")
    async with engine.begin() as conn:
        await conn.execute(
            text("UPDATE payment_charges SET refunded_at = now(), refunded_rub = amount_rub")
        )
    found = await violations(engine)
    assert "refunded charges have their one debit, standing charges none" in found
