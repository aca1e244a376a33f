"""Balances and the ledger: every change of a balance is a ledger row in the same transaction."""
