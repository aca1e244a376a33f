"""The near feed: active located orders within a radius of a position, nearest first.

Whether an order is within the radius, how far it is and where it stands in the order
are all decided by its cell's centre (:mod:`srochno.geo`), never by its exact point: the
feed asked from any positions with any radii says nothing about where an order is inside
its cell. The order is (distance to the cell's centre, cell, id): total, so a keyset
cursor (the last cell and id) pages without skipping or repeating orders of equal
distance.
"""

from __future__ import annotations

import math
import re
from typing import Any

from srochno import clock
from srochno.config import Settings
from srochno.db import Connection
from srochno.geo import Point, cell_centre, cells_within, distance_km, rounded
from srochno.orders import repository
from srochno.orders.errors import InvalidCursor, InvalidNear
from srochno.orders.presenter import order_view
from srochno.responses import page

CURSOR_PATTERN = r"^[0-9]{1,12}\.[A-Za-z0-9_-]{1,12}$"
_CURSOR = re.compile(r"^([0-9]{1,12})\.([A-Za-z0-9_-]{1,12})$")
_NUMBER = re.compile(r"^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$")
_LAT = r"[-+]?(?:90(?:\.0+)?|[1-8]?[0-9](?:\.[0-9]+)?)"
_LON = r"[-+]?(?:180(?:\.0+)?|(?:1[0-7][0-9]|[1-9]?[0-9])(?:\.[0-9]+)?)"
NEAR_PATTERN = f"^{_LAT},{_LON}$"
"""What OpenAPI documents of ``near``: every string it matches is a valid position.
:func:`parse_near` also reads white space around the numbers; anything else is 422
``invalid_near``."""


def parse_near(near: str) -> Point:
    """``<lat>,<lon>`` in degrees, or :class:`InvalidNear`."""
    parts = near.split(",")
    if len(parts) != 2 or not all(_NUMBER.match(part) for part in parts):
        raise InvalidNear()
    lat, lon = float(parts[0]), float(parts[1])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidNear()
    return Point(rounded(lat), rounded(lon))


def parse_radius(radius_km: float | None, settings: Settings) -> float:
    """The radius asked (``GEO_DEFAULT_RADIUS_KM`` when none), at most
    ``GEO_MAX_RADIUS_KM``: a wider one is read as the widest."""
    if radius_km is None:
        return min(settings.geo_default_radius_km, settings.geo_max_radius_km)
    if not (math.isfinite(radius_km) and radius_km > 0):
        raise InvalidNear()
    return min(radius_km, settings.geo_max_radius_km)


def parse_cursor(cursor: str) -> tuple[int, str]:
    found = _CURSOR.match(cursor)
    if found is None:
        raise InvalidCursor()
    return int(found.group(1)), found.group(2)


def cells_after(
    viewer: Point, cells: list[tuple[float, int]], cursor: tuple[int, str] | None
) -> tuple[list[int], list[str]]:
    """The cells left to read of ``cells`` (:func:`~srochno.geo.cells_within`), nearest
    first, each with the id its orders come after (the cursor's id in the cursor's cell,
    "" elsewhere)."""
    if cursor is None:
        return [cell for _, cell in cells], [""] * len(cells)
    last_cell, last_id = cursor
    key = (distance_km(viewer, cell_centre(last_cell)), last_cell)
    left = [cell for km, cell in cells if (km, cell) >= key]
    return left, [last_id if cell == last_cell else "" for cell in left]


async def list_near(
    conn: Connection,
    settings: Settings,
    viewer_id: int | None,
    *,
    near: str,
    radius_km: float | None,
    category: str | None,
    cursor: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """Active located orders within ``radius_km`` of ``near``, nearest first, with their
    ``distance_km``; ``next_cursor`` pages on."""
    viewer = parse_near(near)
    radius = parse_radius(radius_km, settings)
    after = parse_cursor(cursor) if cursor is not None else None
    within = cells_within(viewer, radius)
    cells, after_ids = cells_after(viewer, within, after)
    now = clock.now()
    timeout = settings.no_response_timeout
    rows, total = await repository.near_feed(
        conn,
        now=now,
        deadline=now - timeout,
        cells=cells,
        after_ids=after_ids,
        all_cells=[cell for _, cell in within] if after else cells,
        category=category,
        viewer_id=viewer_id,
        limit=limit,
        offset=offset,
    )
    items = [
        order_view(
            row,
            now,
            timeout,
            viewer_id=viewer_id,
            taken_by_me=row["taken_by_me"],
            in_list=True,
            near=viewer,
        )
        for row in rows
    ]
    answer = page(items, total, limit, offset)
    answer["next_cursor"] = f"{rows[-1]['cell']}.{rows[-1]['id']}" if len(rows) == limit else None
    return answer
