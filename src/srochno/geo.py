"""Positions on the Earth, and the grid of public cells (pure functions, no I/O).

An order's exact point is private; everything public about where it is comes from its
**cell**: a piece of a fixed grid about 1.1 km on each side, the same for every point
inside it. Rows are bands of ``CELL_DEG`` degrees of latitude; each row is cut into as
many columns as fit ``CELL_DEG`` degrees of latitude's length along its centre line, so
cells are nearly square everywhere. A cell's number is ``row * COLUMNS_SPAN + column``: a
plain ``BIGINT`` in an ordinary B-tree index, no extension needed.

The public position (``area``), the distances shown, the near feed's radius and order,
and whether an executor's work area covers an order are all computed from the cell's
centre, never from the point: an answer that depends only on the cell cannot tell two
points of one cell apart, whatever the positions it was asked from and however many times.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypedDict

EARTH_RADIUS_KM = 6371.0088
"""The mean Earth radius (IUGG)."""
CELL_DEG = 0.01
"""A cell's height in degrees of latitude: 1.11 km."""
ROWS = 18_000
COLUMNS_SPAN = 1 << 16
"""Column numbers stay below this (at most 36 000 columns in a row)."""
KM_PER_DEG = EARTH_RADIUS_KM * math.pi / 180
CELL_KM = round(CELL_DEG * KM_PER_DEG, 2)
"""A cell's side in kilometres (1.11)."""
DISTANCE_STEP_KM = 0.5
"""Public distances are rounded to this."""


class LatLon(TypedDict):
    lat: float
    lon: float


class AreaView(TypedDict):
    """An order's public position: the centre of its cell and the cell's size."""

    lat: float
    lon: float
    cell_km: float


@dataclass(frozen=True, slots=True)
class Point:
    lat: float
    lon: float


COORDINATE_DECIMALS = 6
"""Positions are kept to a millionth of a degree (about 0.1 m): a difference between two of
them is 0 or large enough for the distance's arithmetic (PostgreSQL refuses a product that
underflows, which 1e-300° would give)."""
MIN_RADIUS_KM = 0.1


def rounded(degrees: float) -> float:
    """A coordinate as the service keeps it (``-0.0`` read as ``0.0``)."""
    return round(degrees, COORDINATE_DECIMALS) + 0.0


def valid_point(lat: float, lon: float) -> bool:
    return math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180


def _columns(row: int) -> int:
    centre = math.radians(-90 + (row + 0.5) * CELL_DEG)
    return max(1, math.floor(360 * math.cos(centre) / CELL_DEG))


def _row_of(lat: float) -> int:
    return min(ROWS - 1, max(0, math.floor((lat + 90) / CELL_DEG)))


def _column_of(row: int, lon: float) -> int:
    columns = _columns(row)
    return min(columns - 1, max(0, math.floor((lon + 180) / 360 * columns)))


def cell_of(lat: float, lon: float) -> int:
    """The number of the cell holding the point."""
    row = _row_of(lat)
    return row * COLUMNS_SPAN + _column_of(row, lon)


def cell_centre(cell: int) -> Point:
    row, column = divmod(cell, COLUMNS_SPAN)
    return Point(-90 + (row + 0.5) * CELL_DEG, -180 + (column + 0.5) * 360 / _columns(row))


def cell_bounds(cell: int) -> tuple[float, float, float, float]:
    """(south, west, north, east) edges of a cell, in degrees."""
    row, column = divmod(cell, COLUMNS_SPAN)
    width = 360 / _columns(row)
    south, west = -90 + row * CELL_DEG, -180 + column * width
    return south, west, south + CELL_DEG, west + width


def area_view(cell: int) -> AreaView:
    """What anybody may see of where an order is."""
    centre = cell_centre(cell)
    return {"lat": round(centre.lat, 5), "lon": round(centre.lon, 5), "cell_km": CELL_KM}


def distance_km(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi = phi2 - phi1
    dlam = math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def rounded_km(km: float) -> float:
    """A distance as shown: to the nearest ``DISTANCE_STEP_KM``."""
    return round(km / DISTANCE_STEP_KM) * DISTANCE_STEP_KM


def public_distance_km(viewer: Point, cell: int) -> float:
    """How far an order of ``cell`` is from ``viewer``, as anybody may be told: from the
    cell's centre, rounded."""
    return rounded_km(distance_km(viewer, cell_centre(cell)))


def cells_within(viewer: Point, radius_km: float) -> list[tuple[float, int]]:
    """Every cell whose centre lies within ``radius_km`` of ``viewer``, as (distance, cell),
    nearest first (equal distances by cell number)."""
    angle = radius_km / EARTH_RADIUS_KM
    cos_angle = math.cos(angle)
    lat = math.radians(viewer.lat)
    dlat = math.degrees(angle) + CELL_DEG
    found: list[tuple[float, int]] = []
    for row in range(_row_of(viewer.lat - dlat), _row_of(viewer.lat + dlat) + 1):
        centre_lat = -90 + (row + 0.5) * CELL_DEG
        phi = math.radians(centre_lat)
        denominator = math.cos(lat) * math.cos(phi)
        if denominator <= 1e-12:
            reach = 180.0
        else:
            ratio = (cos_angle - math.sin(lat) * math.sin(phi)) / denominator
            if ratio > 1:
                continue
            reach = 180.0 if ratio < -1 else math.degrees(math.acos(ratio))
        columns = _columns(row)
        width = 360 / columns
        if reach >= 180:
            candidates: range | list[int] = range(columns)
        else:
            first = math.floor((viewer.lon - reach + 180) / width - 0.5)
            last = math.ceil((viewer.lon + reach + 180) / width - 0.5)
            candidates = sorted({c % columns for c in range(first, last + 1)})
        for column in candidates:
            cell = row * COLUMNS_SPAN + column
            km = distance_km(viewer, cell_centre(cell))
            if km <= radius_km:
                found.append((km, cell))
    found.sort()
    return found


AREA_REACH_SQL = "(area_radius_km * 0.0091 + 0.01)"
"""Half the height of a work area's bounding box in degrees (a little generous)."""
AREA_BOX_SQL = (
    f"box(point(area_lon - {AREA_REACH_SQL} / greatest(cos(radians(area_lat)), 0.01), "
    f"area_lat - {AREA_REACH_SQL}), "
    f"point(area_lon + {AREA_REACH_SQL} / greatest(cos(radians(area_lat)), 0.01), "
    f"area_lat + {AREA_REACH_SQL}))"
)
"""A user's work area's bounding box (x = longitude, y = latitude): core geometric types
in a GiST expression index, no extension. The same text in the index and the query."""


def haversine_sql(lat1: str, lon1: str, lat2: str, lon2: str) -> str:
    """:func:`distance_km` as an SQL expression of plain maths functions."""
    return (
        f"(2 * {EARTH_RADIUS_KM} * asin(least(1.0, sqrt("
        f"power(sin(radians({lat2} - {lat1}) / 2), 2) + cos(radians({lat1})) * "
        f"cos(radians({lat2})) * power(sin(radians({lon2} - {lon1}) / 2), 2)))))"
    )


def map_link(lat: float, lon: float) -> str:
    """A link that opens a map app at the point (the ``geo:`` URI's web twin)."""
    return f"https://maps.google.com/?q={lat:.6f},{lon:.6f}"
