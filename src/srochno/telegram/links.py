"""Links into the Mini App, as the bot's buttons and the notifications open it."""

from __future__ import annotations


def order_app_url(webapp_url: str, order_id: str) -> str:
    """The Mini App opened on one order (its client-side route)."""
    return f"{webapp_url.split('#', 1)[0]}#/order/{order_id}"
