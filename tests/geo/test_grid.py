"""The public grid (pure): every point has one cell, a cell's centre lies in it, cells are
about a kilometre, and the cells within a radius are exactly those whose centre is."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from srochno.geo import (
    CELL_KM,
    Point,
    area_view,
    cell_centre,
    cell_of,
    cells_within,
    distance_km,
    public_distance_km,
    rounded_km,
)

lats = st.floats(min_value=-85, max_value=85, allow_nan=False)
lons = st.floats(min_value=-180, max_value=180, allow_nan=False)
# Where orders are: Moscow and St Petersburg and around.
city_lats = st.floats(min_value=55.0, max_value=60.5, allow_nan=False)
city_lons = st.floats(min_value=29.0, max_value=38.5, allow_nan=False)


@given(lats, lons)
def test_a_cells_centre_is_in_the_cell_and_within_a_cell_of_its_points(lat, lon):
    cell = cell_of(lat, lon)
    centre = cell_centre(cell)
    assert cell_of(centre.lat, centre.lon) == cell
    # Half a cell's diagonal, and a little for the Earth's curve.
    assert distance_km(Point(lat, lon), centre) <= CELL_KM * math.sqrt(2) / 2 + 0.01


@given(lats, lons)
def test_cells_are_about_a_kilometre_wide(lat, lon):
    centre = cell_centre(cell_of(lat, lon))
    east = cell_centre(cell_of(centre.lat, centre.lon + 0.02 / math.cos(math.radians(lat))))
    north = cell_centre(cell_of(centre.lat + 0.01, centre.lon))
    assert 1.0 <= distance_km(centre, north) <= 1.25
    step = distance_km(centre, east)
    assert step == 0 or 0.9 <= step / 2 <= 1.3 or 0.9 <= step <= 1.3


def test_the_area_is_the_same_for_every_point_of_a_cell():
    centre = cell_centre(cell_of(55.7558, 37.6173))
    a = cell_of(centre.lat - 0.0049, centre.lon - 0.0087)
    b = cell_of(centre.lat + 0.0049, centre.lon + 0.0087)
    assert a == b
    assert area_view(a) == area_view(b)
    assert area_view(a)["cell_km"] == CELL_KM


@given(city_lats, city_lons, st.floats(min_value=0.5, max_value=50))
@settings(max_examples=40, deadline=None)
def test_cells_within_a_radius_are_those_whose_centre_is(lat, lon, radius):
    viewer = Point(lat, lon)
    found = cells_within(viewer, radius)
    cells = {cell for _, cell in found}
    assert [km for km, _ in found] == sorted(km for km, _ in found)
    assert all(km <= radius for km, _ in found)
    # No cell left out: the cells around the found ones' ring are all farther.
    row_step, col_step = 0.01, 0.01 / math.cos(math.radians(lat))
    reach = int(radius / 1.1) + 2
    for i in range(-reach, reach + 1, max(1, reach // 6)):
        for j in range(-reach, reach + 1, max(1, reach // 6)):
            cell = cell_of(lat + i * row_step, lon + j * col_step)
            inside = distance_km(viewer, cell_centre(cell)) <= radius
            assert inside == (cell in cells)


@given(city_lats, city_lons, city_lats, city_lons)
def test_a_public_distance_is_from_the_cells_centre_rounded_to_half_a_km(la, lo, lb, lob):
    viewer, cell = Point(la, lo), cell_of(lb, lob)
    shown = public_distance_km(viewer, cell)
    assert shown * 2 == int(shown * 2)
    assert abs(shown - distance_km(viewer, cell_centre(cell))) <= 0.25


def test_rounding():
    assert rounded_km(0.2) == 0
    assert rounded_km(0.3) == 0.5
    assert rounded_km(2.74) == 2.5
    assert rounded_km(2.76) == 3
