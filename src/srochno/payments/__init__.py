"""Telegram Stars: invoices, pre-checkout, crediting charges, refunds and reconciliation."""
