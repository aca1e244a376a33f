"""Error reports to Sentry (``SENTRY_DSN``), with what must never leave scrubbed first.

:func:`scrub_event` is the ``before_send`` hook, a pure function: initData (the
``Authorization`` header, the ``tma`` query parameter of the streams, anything shaped
like a signed initData), contacts (the orders' ``contact`` fields, every request body),
cookies and tokens (a bot token anywhere, e.g. in a Bot API URL; webhook secrets) are
replaced by ``[Filtered]`` wherever they appear in the event.
"""

from __future__ import annotations

import re
from typing import Any

from srochno import __version__
from srochno.config import Settings

FILTERED = "[Filtered]"

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "cookie",
        "set-cookie",
        "x-telegram-bot-api-secret-token",
        "idempotency-key",
        "x-csrftoken",
    }
)
# Keys whose values are secrets or contacts wherever they are (bodies, locals, extra).
SECRET_KEYS = re.compile(
    r"(authorization|cookie|contact|phone|password|passwd|secret|token|init_?data|dsn|"
    r"api_?key|csrf|hash|signature)",
    re.IGNORECASE,
)
BOT_TOKEN = re.compile(r"(?<!\d)\d{5,}:[A-Za-z0-9_-]{30,}")
# Signed initData, also URL-encoded: a string carrying one is dropped whole.
INIT_DATA = re.compile(r"auth_date(=|%3D)|hash(=|%3D)[0-9a-f]{64}|signature(=|%3D)", re.I)
TMA_PARAM = re.compile(r"((?:^|[?&])tma=)[^&#\s]*")


def scrub_text(text: str) -> str:
    text = TMA_PARAM.sub(r"\1" + FILTERED, text)
    if INIT_DATA.search(text):
        return FILTERED
    return BOT_TOKEN.sub(FILTERED, text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {
            key: FILTERED if isinstance(key, str) and SECRET_KEYS.search(key) else _scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_scrub(item) for item in value]
    return value


def _scrub_request(request: dict[str, Any]) -> dict[str, Any]:
    request = dict(request)
    if "data" in request:  # request bodies carry contacts: never sent
        request["data"] = FILTERED
    if "cookies" in request:
        request["cookies"] = FILTERED
    headers = request.get("headers")
    if isinstance(headers, dict):
        request["headers"] = {
            name: FILTERED if name.lower() in SECRET_HEADERS else _scrub(value)
            for name, value in headers.items()
        }
    elif isinstance(headers, list):
        request["headers"] = [
            [pair[0], FILTERED if str(pair[0]).lower() in SECRET_HEADERS else _scrub(pair[1])]
            for pair in headers
            if isinstance(pair, (list, tuple)) and len(pair) == 2
        ]
    return _scrub(request)  # type: ignore[no-any-return]


def scrub_event(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event without initData, contacts or tokens (Sentry's ``before_send``)."""
    scrubbed: dict[str, Any] = {}
    for key, value in event.items():
        if key == "request" and isinstance(value, dict):
            scrubbed[key] = _scrub_request(value)
        else:
            scrubbed[key] = _scrub(value)
    return scrubbed


def init_sentry(settings: Settings) -> bool:
    """Report errors to ``SENTRY_DSN`` when it is set; True when reporting is on."""
    if not settings.sentry_dsn:
        return False
    import sentry_sdk

    sentry_sdk.init(
        dsn=settings.sentry_dsn,
        environment=settings.environment.value,
        release=f"srochno@{__version__}",
        send_default_pii=False,
        traces_sample_rate=settings.sentry_traces_sample_rate,
        before_send=scrub_event,  # type: ignore[arg-type]
        before_send_transaction=scrub_event,  # type: ignore[arg-type]
        max_request_body_size="never",
    )
    return True
