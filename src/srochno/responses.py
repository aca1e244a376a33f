"""Responses serialised once, straight from plain rows.

Routes keep ``response_model`` for the OpenAPI schema, and return one of these: FastAPI
passes a ``Response`` through as it is, with no second validation. Datetimes come out as
Pydantic writes them (UTC with ``Z``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response

OPTIONS = orjson.OPT_UTC_Z


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=OPTIONS)


def json_response(
    content: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    return Response(dumps(content), status_code, headers, media_type="application/json")


def page(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    """The one shape of a paginated answer."""
    return {"items": items, "total": total, "limit": limit, "offset": offset}
