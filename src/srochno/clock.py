"""The one source of "now" for every rule.

Production reads the system clock; tests move time forward with :func:`advance`
instead of sleeping. Every rule that depends on time receives ``now()`` from here
and passes it to SQL as a parameter, so the database never decides what time it is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_offset = timedelta(0)


def now() -> datetime:
    return datetime.now(UTC) + _offset


def advance(delta: timedelta) -> None:
    global _offset
    _offset += delta


def reset() -> None:
    global _offset
    _offset = timedelta(0)


def offset_seconds() -> float:
    """How far tests moved the clock (0 in production): for code that reads epoch time."""
    return _offset.total_seconds()
