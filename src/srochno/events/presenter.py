"""Events as the streams send them: SSE frames encoded once per event and process."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import orjson
from fastapi.sse import format_sse_event

from srochno import clock
from srochno.db import Record
from srochno.orders.presenter import order_view
from srochno.responses import dumps

ORDER_CREATED = "order_created"
ORDER_DATETIMES = (
    "created_at",
    "updated_at",
    "expires_at",
    "first_taken_at",
    "responded_at",
    "completed_at",
    "closed_at",
)
HEARTBEAT = b": ping\n\n"
CONNECTED = b": connected\n\n"


def listed_order(payload: str, now: datetime, no_response_timeout: timedelta) -> str:
    """An ``order_created`` payload (the order's row, no contact, no owner) as the list
    shows the order."""
    order: dict[str, Any] = orjson.loads(payload)
    for name in ORDER_DATETIMES:
        value = order.get(name)
        if value is not None:
            order[name] = datetime.fromisoformat(value)
    order["owner_id"] = None
    order["contact"] = None
    order["lat"] = order["lon"] = order["address"] = None
    order.setdefault("cell", None)
    view = order_view(
        order, now, no_response_timeout, viewer_id=None, taken_by_me=False, in_list=True
    )
    return dumps(view).decode()


def frame(event: Record, no_response_timeout: timedelta) -> bytes:
    """One event as an SSE frame: ``event:`` its kind, ``data:`` its JSON, ``id:`` its id."""
    kind: str = event["kind"]
    data: str = event["payload"]
    if kind == ORDER_CREATED:
        data = listed_order(data, clock.now(), no_response_timeout)
    return format_sse_event(data_str=data, event=kind, id=str(event["id"]))


def retry_frame(retry_ms: int) -> bytes:
    return format_sse_event(retry=retry_ms, comment="reconnect")
