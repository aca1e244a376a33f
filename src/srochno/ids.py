"""Public identifiers (orders, payments, top-ups): random, URL-safe, and never starting with
``-``, so an operator can pass one to a command line as it is (``srochno payments
refund-topup <id>``) without it being read as an option."""

from __future__ import annotations

import secrets


def new_id(nbytes: int) -> str:
    """``nbytes`` random bytes as URL-safe text whose first character is not ``-``."""
    while True:
        token = secrets.token_urlsafe(nbytes)
        if not token.startswith("-"):
            return token
