"""Home zones: a circle or a polygon, validated, with precomputed metric geometry."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import shapely

from geofence import _shapes
from geofence.errors import ZoneError
from geofence.parsing import check_lat_lon, parse_point
from geofence.projection import LocalProjection
from geofence.settings import DEFAULT_SETTINGS, GeofenceSettings


def _check_finite(value: float, what: str) -> None:
    if not math.isfinite(value):
        code = "zone.bad_radius" if what == "radius" else f"zone.bad_{what}"
        raise ZoneError(code, f"expected a finite {what}, got {value!r}", {"value": value})


@dataclass(frozen=True, slots=True)
class Circle:
    """A circular zone: centre in WGS84 degrees, radius in metres."""

    lat: float
    lon: float
    radius_m: float
    _proj: LocalProjection = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_finite(self.lat, "latitude")
        _check_finite(self.lon, "longitude")
        _check_finite(self.radius_m, "radius")
        check_lat_lon(self.lat, self.lon)
        if self.radius_m <= 0:
            # Same parameters as the limit check below, so one catalogue text fits both.
            raise ZoneError(
                "zone.bad_radius",
                f"expected a radius above 0 m, got {self.radius_m:g} m",
                {
                    "value": self.radius_m,
                    "min": DEFAULT_SETTINGS.min_radius_m,
                    "max": DEFAULT_SETTINGS.max_radius_m,
                },
            )
        object.__setattr__(self, "_proj", LocalProjection(self.lat, self.lon))

    @property
    def centre(self) -> tuple[float, float]:
        """(lat, lon) of the centre."""
        return self.lat, self.lon

    def edge_distance_m(self, lat: float, lon: float) -> float:
        """Metres from (lat, lon) to the zone's edge; 0 when the point is inside."""
        d = self._proj.distance_m(lat, lon) - self.radius_m
        return d if d > 0.0 else 0.0

    def check_limits(self, settings: GeofenceSettings = DEFAULT_SETTINGS) -> None:
        """Raise ZoneError unless the radius and centre respect the configured limits."""
        if not settings.min_radius_m <= self.radius_m <= settings.max_radius_m:
            raise ZoneError(
                "zone.bad_radius",
                f"expected a radius between {settings.min_radius_m:g} and "
                f"{settings.max_radius_m:g} m, got {self.radius_m:g} m",
                {
                    "value": self.radius_m,
                    "min": settings.min_radius_m,
                    "max": settings.max_radius_m,
                },
            )
        _check_in_country(((self.lat, self.lon),), settings)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form."""
        return {"type": "circle", "lat": self.lat, "lon": self.lon, "radius_m": self.radius_m}


@dataclass(frozen=True, slots=True)
class Polygon:
    """A polygonal zone: a closed GeoJSON-style ring of (lon, lat) positions, no holes."""

    ring: tuple[tuple[float, float], ...]
    _proj: LocalProjection = field(init=False, repr=False, compare=False)
    _shape: Any = field(init=False, repr=False, compare=False)
    _inner_r2: float = field(init=False, repr=False, compare=False)
    area_m2: float = field(init=False, repr=False, compare=False)
    span_m: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ring = tuple((float(p[0]), float(p[1])) for p in self.ring)
        object.__setattr__(self, "ring", ring)
        for lon, lat in ring:
            _check_finite(lat, "latitude")
            _check_finite(lon, "longitude")
            check_lat_lon(lat, lon)
        if len(ring) < 4 or len(set(ring)) < 3:
            raise ZoneError(
                "zone.polygon_too_few_points",
                "expected at least 3 distinct corners, with the first repeated at the end",
                {"count": len(set(ring))},
            )
        if ring[0] != ring[-1]:
            raise ZoneError(
                "zone.polygon_not_closed",
                "expected the ring to end with the same position it starts with",
            )
        corners = ring[:-1]
        origin_lon = math.fsum(p[0] for p in corners) / len(corners)
        origin_lat = math.fsum(p[1] for p in corners) / len(corners)
        proj = LocalProjection(origin_lat, origin_lon)
        metric = [proj.forward(lat, lon) for lon, lat in ring]
        shape = shapely.Polygon(metric)
        if not shape.is_valid:
            reason = str(shapely.is_valid_reason(shape))
            raise ZoneError(
                "zone.polygon_invalid",
                f"expected a simple polygon whose edges do not cross: {reason}",
                {"reason": reason},
            )
        shapely.prepare(shape)
        # Most fixes come from people at home: a point within the largest disc around the
        # origin that fits in the polygon is inside without a GEOS call. -1 disables it for
        # shapes (say an L) whose origin falls outside.
        origin = shapely.Point(0.0, 0.0)
        inner = float(shape.exterior.distance(origin)) if shape.contains(origin) else -1.0
        object.__setattr__(self, "_inner_r2", inner * inner if inner > 0 else -1.0)
        object.__setattr__(self, "_proj", proj)
        object.__setattr__(self, "_shape", shape)
        object.__setattr__(self, "area_m2", float(shape.area))
        object.__setattr__(self, "span_m", max(math.hypot(x, y) for x, y in metric))

    @property
    def centre(self) -> tuple[float, float]:
        """(lat, lon) of the mean of the corners, the origin of the zone's projection."""
        return self._proj.lat0, self._proj.lon0

    def edge_distance_m(self, lat: float, lon: float) -> float:
        """Metres from (lat, lon) to the zone's edge; 0 when the point is inside."""
        x, y = self._proj.forward(lat, lon)
        if x * x + y * y < self._inner_r2:
            return 0.0
        return float(_shapes.distance(self._shape, _shapes.make_point(x, y)))

    def check_limits(self, settings: GeofenceSettings = DEFAULT_SETTINGS) -> None:
        """Raise ZoneError unless area, span and position respect the configured limits."""
        if self.area_m2 > settings.max_polygon_area_m2:
            raise ZoneError(
                "zone.polygon_too_large",
                f"expected an area of at most {settings.max_polygon_area_m2:,.0f} m², "
                f"got {self.area_m2:,.0f} m²",
                {"area_m2": self.area_m2, "max_area_m2": settings.max_polygon_area_m2},
            )
        if self.span_m > settings.max_polygon_span_m:
            raise ZoneError(
                "zone.polygon_too_wide",
                f"expected every corner within {settings.max_polygon_span_m:,.0f} m of the "
                f"centre, got {self.span_m:,.0f} m",
                {"span_m": self.span_m, "max_span_m": settings.max_polygon_span_m},
            )
        _check_in_country(tuple((lat, lon) for lon, lat in self.ring), settings)

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form."""
        return {"type": "polygon", "ring": [[lon, lat] for lon, lat in self.ring]}

    def to_geojson(self) -> dict[str, Any]:
        """The zone as a GeoJSON Polygon geometry."""
        return {"type": "Polygon", "coordinates": [[[lon, lat] for lon, lat in self.ring]]}


Zone = Circle | Polygon


def _check_in_country(points: Sequence[tuple[float, float]], settings: GeofenceSettings) -> None:
    for lat, lon in points:
        if not (
            settings.min_lat <= lat <= settings.max_lat
            and settings.min_lon <= lon <= settings.max_lon
        ):
            raise ZoneError(
                "zone.outside_country",
                f"expected a place in Vietnam (latitude {settings.min_lat:g} to "
                f"{settings.max_lat:g}, longitude {settings.min_lon:g} to {settings.max_lon:g}), "
                f"got {lat:g}, {lon:g}",
                {"lat": lat, "lon": lon},
            )


def make_circle(
    lat: float,
    lon: float,
    radius_m: float | None = None,
    settings: GeofenceSettings = DEFAULT_SETTINGS,
) -> Circle:
    """Build a circle checked against the limits; the radius defaults to the configured one."""
    circle = Circle(lat, lon, settings.default_radius_m if radius_m is None else radius_m)
    circle.check_limits(settings)
    return circle


def circle_from_text(
    text: str,
    radius_m: float | None = None,
    settings: GeofenceSettings = DEFAULT_SETTINGS,
) -> Circle:
    """Build a circle from an officer's coordinates or map link (see parse_point)."""
    lat, lon = parse_point(text)
    return make_circle(lat, lon, radius_m, settings)


def _ring_from(positions: object) -> tuple[tuple[float, float], ...]:
    if not isinstance(positions, Sequence) or isinstance(positions, str):
        raise ZoneError("zone.bad_data", "expected a list of [longitude, latitude] positions")
    ring = []
    for position in positions:
        # GeoJSON allows a third (altitude) element; it plays no part in a zone.
        if (
            not isinstance(position, Sequence)
            or isinstance(position, str)
            or len(position) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
        ):
            raise ZoneError(
                "zone.bad_data",
                f"expected a [longitude, latitude] pair of numbers, got {position!r}",
            )
        ring.append((float(position[0]), float(position[1])))
    return tuple(ring)


def make_polygon(
    ring: Sequence[Sequence[float]],
    settings: GeofenceSettings = DEFAULT_SETTINGS,
) -> Polygon:
    """Build a polygon from [lon, lat] positions, checked against the limits."""
    polygon = Polygon(_ring_from(ring))
    polygon.check_limits(settings)
    return polygon


def polygon_from_geojson(
    geometry: Mapping[str, Any],
    settings: GeofenceSettings = DEFAULT_SETTINGS,
) -> Polygon:
    """Build a polygon from a GeoJSON Polygon geometry with a single ring."""
    coordinates = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
    if (
        not isinstance(geometry, Mapping)
        or geometry.get("type") != "Polygon"
        or not isinstance(coordinates, Sequence)
        or len(coordinates) != 1
    ):
        raise ZoneError("zone.bad_data", "expected a GeoJSON Polygon with one ring and no holes")
    return make_polygon(coordinates[0], settings)


def zone_from_dict(data: Mapping[str, Any]) -> Zone:
    """Rebuild a zone from `to_dict` output; limits are not re-checked, shape is."""
    kind = data.get("type") if isinstance(data, Mapping) else None
    if kind == "circle":
        values = [data.get("lat"), data.get("lon"), data.get("radius_m")]
        numbers = [
            float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)
        ]
        if len(numbers) != 3:
            raise ZoneError("zone.bad_data", f"expected numeric lat, lon, radius_m in {data!r}")
        return Circle(numbers[0], numbers[1], numbers[2])
    if kind == "polygon":
        return Polygon(_ring_from(data.get("ring")))
    raise ZoneError(
        "zone.bad_data", f"expected a dict with type 'circle' or 'polygon', got {data!r}"
    )
