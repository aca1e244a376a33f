"""Srochno: the backend of a Telegram Mini App marketplace of urgent services."""

__version__ = "0.1.0"
