"""Geofence: pure decisions about where a person in home isolation is.

No database, no Telegram. The handlers call, in order:

1. ``check_evidence`` - reject forwarded, venue, stale, foreign or impossible fixes;
2. ``judge`` - inside / outside / uncertain for a fix against the case's zone;
3. ``advance`` - for live-location streams, hysteresis that yields breach / returned.

Message catalogue keys the bot must translate:

* ``REJECTION_MESSAGE_KEYS``: location.rejected.forwarded, location.rejected.venue,
  location.rejected.stale (params age_s, max_age_s), location.rejected.outside_country,
  location.rejected.impossible_jump (params speed_kmh, max_speed_kmh);
* ``ZONE_ERROR_CODES`` (``ZoneError.code``, values in ``ZoneError.params``): zone.bad_point,
  zone.short_link, zone.bad_latitude, zone.bad_longitude, zone.bad_radius (value, min, max),
  zone.polygon_not_closed, zone.polygon_too_few_points, zone.polygon_invalid (reason),
  zone.polygon_too_large (area_m2, max_area_m2), zone.polygon_too_wide (span_m, max_span_m),
  zone.outside_country (lat, lon), zone.bad_data.
"""

from geofence.communes import (
    DEFAULT_CODE_PROPERTIES,
    CommuneFeature,
    CommuneIndex,
    FeatureError,
    FeatureErrorReason,
)
from geofence.errors import ZONE_ERROR_CODES, ZoneError
from geofence.evidence import REJECTION_MESSAGE_KEYS, Rejection, RejectionReason, check_evidence
from geofence.fixes import Fix, FixKind, FixProblem, fix_problem
from geofence.parsing import parse_point
from geofence.projection import LocalProjection, distance_m
from geofence.settings import DEFAULT_SETTINGS, GeofenceSettings
from geofence.tracker import StreamEvent, StreamUpdate, TrackerState, advance
from geofence.verdicts import Verdict, VerdictKind, VerdictReason, judge
from geofence.zones import (
    Circle,
    Polygon,
    Zone,
    circle_from_text,
    make_circle,
    make_polygon,
    polygon_from_geojson,
    zone_from_dict,
)

__all__ = [
    "DEFAULT_CODE_PROPERTIES",
    "DEFAULT_SETTINGS",
    "REJECTION_MESSAGE_KEYS",
    "ZONE_ERROR_CODES",
    "Circle",
    "CommuneFeature",
    "CommuneIndex",
    "FeatureError",
    "FeatureErrorReason",
    "Fix",
    "FixKind",
    "FixProblem",
    "GeofenceSettings",
    "LocalProjection",
    "Polygon",
    "Rejection",
    "RejectionReason",
    "StreamEvent",
    "StreamUpdate",
    "TrackerState",
    "Verdict",
    "VerdictKind",
    "VerdictReason",
    "Zone",
    "ZoneError",
    "advance",
    "check_evidence",
    "circle_from_text",
    "distance_m",
    "fix_problem",
    "judge",
    "make_circle",
    "make_polygon",
    "parse_point",
    "polygon_from_geojson",
    "zone_from_dict",
]
