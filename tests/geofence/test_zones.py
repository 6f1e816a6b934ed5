"""Zone validation, limits and plain-data round trips."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from geofence import (
    ZONE_ERROR_CODES,
    Circle,
    GeofenceSettings,
    Polygon,
    ZoneError,
    circle_from_text,
    make_circle,
    make_polygon,
    polygon_from_geojson,
    zone_from_dict,
)
from tests.geofence.support import THANH_HOA, geodesic_polygon, offset

LAT, LON = THANH_HOA


def square(side_m: float, centre: tuple[float, float] = THANH_HOA) -> list[list[float]]:
    half = side_m / 2 * math.sqrt(2)
    ring = []
    for bearing in (45.0, 135.0, 225.0, 315.0, 45.0):
        lat, lon = offset(*centre, half, bearing)
        ring.append([lon, lat])
    return ring


def code_of(call: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ZoneError) as caught:
        call(*args, **kwargs)
    assert caught.value.code in ZONE_ERROR_CODES
    assert str(caught.value).startswith("expected")
    return caught.value.code


def test_make_circle_uses_the_default_radius() -> None:
    assert make_circle(LAT, LON) == Circle(LAT, LON, 50.0)
    assert make_circle(LAT, LON, settings=GeofenceSettings(default_radius_m=100.0)).radius_m == 100


@pytest.mark.parametrize("radius", [10.0, 50.0, 1000.0])
def test_radius_within_limits_is_accepted(radius: float) -> None:
    assert make_circle(LAT, LON, radius).radius_m == radius


@pytest.mark.parametrize("radius", [9.9, 1000.5, 5000.0])
def test_radius_outside_limits_is_refused(radius: float) -> None:
    with pytest.raises(ZoneError) as caught:
        make_circle(LAT, LON, radius)
    assert caught.value.code == "zone.bad_radius"
    assert caught.value.params == {"value": radius, "min": 10.0, "max": 1000.0}
    assert "between 10 and 1000 m" in str(caught.value)


def test_radius_limits_are_configurable() -> None:
    wide = GeofenceSettings(max_radius_m=2000.0)
    assert make_circle(LAT, LON, 1500.0, wide).radius_m == 1500.0


@pytest.mark.parametrize(
    ("lat", "lon", "radius", "code"),
    [
        (91.0, LON, 50.0, "zone.bad_latitude"),
        (LAT, -181.0, 50.0, "zone.bad_longitude"),
        (math.nan, LON, 50.0, "zone.bad_latitude"),
        (LAT, math.inf, 50.0, "zone.bad_longitude"),
        (LAT, LON, 0.0, "zone.bad_radius"),
        (LAT, LON, -5.0, "zone.bad_radius"),
        (LAT, LON, math.nan, "zone.bad_radius"),
    ],
)
def test_circle_shape_errors(lat: float, lon: float, radius: float, code: str) -> None:
    assert code_of(Circle, lat, lon, radius) == code


def test_zone_outside_vietnam_is_refused_when_made_from_input() -> None:
    assert code_of(make_circle, 48.8566, 2.3522) == "zone.outside_country"
    assert code_of(make_polygon, square(100.0, (13.7563, 100.5018))) == "zone.outside_country"
    # Stored zones are still readable (limits are checked on entry, not on load).
    assert Circle(48.8566, 2.3522, 50.0).radius_m == 50.0


def test_circle_from_text() -> None:
    zone = circle_from_text("https://www.google.com/maps/@19.807,105.776,17z", 80.0)
    assert zone == Circle(19.807, 105.776, 80.0)
    assert code_of(circle_from_text, "my house") == "zone.bad_point"


def test_valid_polygon() -> None:
    polygon = make_polygon(square(100.0))
    assert polygon.area_m2 == pytest.approx(10_000.0, rel=0.01)
    assert polygon.centre == pytest.approx(THANH_HOA, abs=1e-6)
    assert polygon.edge_distance_m(LAT, LON) == 0.0


def test_polygon_accepts_altitude_and_geojson() -> None:
    ring = [[*position, 12.0] for position in square(100.0)]
    assert make_polygon(ring).ring == make_polygon(square(100.0)).ring
    geojson = {"type": "Polygon", "coordinates": [square(100.0)]}
    assert polygon_from_geojson(geojson).to_geojson() == geojson


@pytest.mark.parametrize(
    ("ring", "code"),
    [
        (square(100.0)[:-1], "zone.polygon_not_closed"),
        (square(100.0)[:2] + square(100.0)[:1], "zone.polygon_too_few_points"),
        ([], "zone.polygon_too_few_points"),
        # A bow tie: its edges cross in the middle.
        (
            [square(100.0)[i] for i in (0, 1, 3, 2, 0)],
            "zone.polygon_invalid",
        ),
        ([[LON, 95.0], [LON + 0.001, LAT], [LON, LAT + 0.001], [LON, 95.0]], "zone.bad_latitude"),
        ([[LON, LAT], "x", [LON, LAT]], "zone.bad_data"),
        ([[LON, LAT, 1.0, 2.0]], "zone.bad_data"),
        ([[True, LAT]], "zone.bad_data"),
    ],
)
def test_polygon_shape_errors(ring: list[Any], code: str) -> None:
    assert code_of(make_polygon, ring) == code


def test_polygon_invalid_reason_is_given() -> None:
    with pytest.raises(ZoneError) as caught:
        make_polygon([square(100.0)[i] for i in (0, 1, 3, 2, 0)])
    assert "Self-intersection" in str(caught.value.params["reason"])


def test_polygon_area_limit() -> None:
    # 2 km x 2 km = 4 km², more than the default π km².
    assert code_of(make_polygon, square(2000.0)) == "zone.polygon_too_large"
    assert make_polygon(square(2000.0), GeofenceSettings(max_polygon_area_m2=5e6)).area_m2 > 3.9e6


def test_polygon_span_limit() -> None:
    # A 10 m wide, 8 km long sliver: tiny area, but nowhere near one home.
    west, east = offset(LAT, LON, 4000.0, 270.0), offset(LAT, LON, 4000.0, 90.0)
    north = offset(*west, 10.0, 0.0), offset(*east, 10.0, 0.0)
    ring = [
        [west[1], west[0]],
        [east[1], east[0]],
        [north[1][1], north[1][0]],
        [north[0][1], north[0][0]],
        [west[1], west[0]],
    ]
    assert code_of(make_polygon, ring) == "zone.polygon_too_wide"


@pytest.mark.parametrize(
    "zone",
    [Circle(LAT, LON, 75.5), geodesic_polygon(THANH_HOA, 80.0, 12), make_polygon(square(60.0))],
)
def test_zone_round_trips_through_json(zone: Circle | Polygon) -> None:
    data = json.loads(json.dumps(zone.to_dict()))
    again = zone_from_dict(data)
    assert again == zone
    probe = offset(LAT, LON, 150.0, 33.0)
    assert again.edge_distance_m(*probe) == zone.edge_distance_m(*probe)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"type": "square"},
        {"type": "circle", "lat": LAT, "lon": LON},
        {"type": "circle", "lat": "19.8", "lon": LON, "radius_m": 50},
        {"type": "circle", "lat": True, "lon": LON, "radius_m": 50},
        {"type": "polygon"},
        {"type": "polygon", "ring": "not a ring"},
        {"type": "polygon", "ring": [[1, 2], [3]]},
    ],
)
def test_malformed_stored_zones(data: dict[str, Any]) -> None:
    assert code_of(zone_from_dict, data) == "zone.bad_data"


def test_polygon_with_hole_is_refused() -> None:
    geojson = {"type": "Polygon", "coordinates": [square(200.0), square(50.0)]}
    assert code_of(polygon_from_geojson, geojson) == "zone.bad_data"
    assert code_of(polygon_from_geojson, {"type": "Point", "coordinates": [LON, LAT]}) == (
        "zone.bad_data"
    )


def test_zones_are_hashable_values() -> None:
    assert len({Circle(LAT, LON, 50.0), Circle(LAT, LON, 50.0)}) == 1
    assert len({make_polygon(square(60.0)), make_polygon(square(60.0))}) == 1
