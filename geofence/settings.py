"""Tunable limits of the geofence, with defaults chosen for home isolation in Vietnam."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GeofenceSettings:
    """Every threshold the geofence uses; build one from the app's config and pass it in."""

    # Zone limits. 10 m is below consumer GPS noise; 1 km is already a neighbourhood.
    min_radius_m: float = 10.0
    max_radius_m: float = 1000.0
    default_radius_m: float = 50.0
    # No polygon may cover more than the largest allowed circle.
    max_polygon_area_m2: float = math.pi * 1000.0**2
    # Keeps every vertex close enough to the zone's centre for the local projection to
    # stay far inside its error budget, and rejects a sliver drawn across a province.
    max_polygon_span_m: float = 3000.0

    # Verdicts.
    tolerance_m: float = 25.0
    max_accuracy_m: float = 200.0
    # Used when a fix comes without accuracy (desktop clients, pins picked on the map).
    # 65 m is the figure iOS reports for a Wi-Fi-positioned fix: a typical phone indoors,
    # neither GPS-sharp nor cell-tower-vague, so a missing value is judged like one.
    assumed_accuracy_m: float = 65.0

    # Evidence.
    max_fix_age_s: float = 300.0
    # Mainland runs 8.38 N (Hòn Khoai) to 23.39 N (Lũng Cú), 102.14 E (A Pa Chải) to
    # 109.46 E (Mũi Đôi); the east edge is pushed to 114.7 E and the south to 7.8 N so
    # that the inhabited Trường Sa special zone (Khánh Hòa) is inside.
    min_lat: float = 7.8
    max_lat: float = 23.5
    min_lon: float = 102.0
    max_lon: float = 114.7
    max_speed_kmh: float = 200.0
    # Fixes stamped closer than this are never judged for speed: message dates are whole
    # seconds, so "0 s" and "1 s" apart cannot be told from a few milliseconds apart.
    min_jump_interval_s: float = 2.0

    # Live-location streams.
    breach_min_seconds: float = 180.0
    breach_min_fixes: int = 2

    def __post_init__(self) -> None:
        if not 0 < self.min_radius_m <= self.default_radius_m <= self.max_radius_m:
            raise ValueError("expected 0 < min_radius_m <= default_radius_m <= max_radius_m")
        if self.max_polygon_area_m2 <= 0 or self.max_polygon_span_m <= 0:
            raise ValueError("expected positive polygon limits")
        if self.tolerance_m < 0 or self.assumed_accuracy_m < 0 or self.max_accuracy_m <= 0:
            raise ValueError("expected tolerance_m, assumed_accuracy_m >= 0 and max_accuracy_m > 0")
        if self.max_fix_age_s <= 0 or self.max_speed_kmh <= 0 or self.min_jump_interval_s <= 0:
            raise ValueError(
                "expected positive max_fix_age_s, max_speed_kmh and min_jump_interval_s"
            )
        if not (
            -90 <= self.min_lat < self.max_lat <= 90 and -180 <= self.min_lon < self.max_lon <= 180
        ):
            raise ValueError("expected a bounding box with min < max inside WGS84 ranges")
        if self.breach_min_seconds < 0 or self.breach_min_fixes < 1:
            raise ValueError("expected breach_min_seconds >= 0 and breach_min_fixes >= 1")


DEFAULT_SETTINGS = GeofenceSettings()
