"""Shared builders for the geofence tests: geodesic offsets and fixes at known times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pyproj import Geod

from geofence import Fix, FixKind, Polygon

GEOD = Geod(ellps="WGS84")
THANH_HOA = (19.807, 105.776)
HANOI = (21.0285, 105.8542)
T0 = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def offset(lat: float, lon: float, metres: float, bearing_deg: float = 45.0) -> tuple[float, float]:
    """The point `metres` from (lat, lon) along a geodesic bearing, as (lat, lon)."""
    lon2, lat2, _ = GEOD.fwd(lon, lat, bearing_deg, metres)
    return float(lat2), float(lon2)


def geodesic_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Reference WGS84 geodesic distance in metres."""
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def at(seconds: float) -> datetime:
    """T0 plus `seconds`."""
    return T0 + timedelta(seconds=seconds)


def fix_near(
    centre: tuple[float, float],
    metres: float,
    accuracy_m: float | None,
    *,
    seconds: float = 0.0,
    bearing_deg: float = 45.0,
    kind: FixKind = FixKind.LIVE,
) -> Fix:
    """A fix `metres` from `centre`, taken `seconds` after T0."""
    lat, lon = offset(*centre, metres, bearing_deg)
    return Fix(lat, lon, accuracy_m, at(seconds), kind)


def geodesic_polygon(
    centre: tuple[float, float], radius_m: float, vertices: int, rotation_deg: float = 0.0
) -> Polygon:
    """A polygon whose corners lie on the geodesic circle of `radius_m` around `centre`."""
    ring = []
    for i in range(vertices):
        lat, lon = offset(*centre, radius_m, rotation_deg + 360.0 * i / vertices)
        ring.append((lon, lat))
    ring.append(ring[0])
    return Polygon(tuple(ring))
