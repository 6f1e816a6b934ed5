"""Accuracy-aware verdict: is a fix inside, outside, or too vague to say?"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geofence.fixes import Fix
from geofence.settings import DEFAULT_SETTINGS, GeofenceSettings
from geofence.zones import Zone


class VerdictKind(StrEnum):
    """The three possible answers."""

    INSIDE = "inside"
    OUTSIDE = "outside"
    UNCERTAIN = "uncertain"  # ask again; never alert on it


class VerdictReason(StrEnum):
    """Why the verdict came out as it did."""

    IN_ZONE = "in_zone"  # the reported point itself lies in the zone
    DISC_TOUCHES = "disc_touches"  # the point is outside but its accuracy disc reaches the zone
    BEYOND_ACCURACY = "beyond_accuracy"  # farther than accuracy plus tolerance
    WITHIN_TOLERANCE = "within_tolerance"  # just past the accuracy disc: could be either
    POOR_ACCURACY = "poor_accuracy"  # accuracy worse than the configured maximum


@dataclass(frozen=True, slots=True)
class Verdict:
    """The answer for one fix against one zone."""

    kind: VerdictKind
    # Metres from the reported point to the zone's edge, 0 when the point is in the zone.
    # An `inside` by DISC_TOUCHES keeps its positive distance, which is worth showing.
    distance_m: float
    reason: VerdictReason
    # The fix came without accuracy and was judged with settings.assumed_accuracy_m.
    weak_evidence: bool
    accuracy_m: float  # the accuracy the verdict used

    @property
    def is_inside(self) -> bool:
        """True for an `inside` verdict."""
        return self.kind is VerdictKind.INSIDE

    @property
    def is_outside(self) -> bool:
        """True for an `outside` verdict."""
        return self.kind is VerdictKind.OUTSIDE


def judge(zone: Zone, fix: Fix, settings: GeofenceSettings = DEFAULT_SETTINGS) -> Verdict:
    """Decide inside / outside / uncertain for a fix against a zone."""
    weak = fix.accuracy_m is None
    accuracy = settings.assumed_accuracy_m if fix.accuracy_m is None else fix.accuracy_m
    distance = zone.edge_distance_m(fix.lat, fix.lon)
    if distance <= 0.0:
        # A point in the zone is inside whatever its accuracy: the reported position is the
        # phone's best estimate, and a vague fix at home must never read as a breach.
        kind, reason = VerdictKind.INSIDE, VerdictReason.IN_ZONE
    elif accuracy > settings.max_accuracy_m:
        kind, reason = VerdictKind.UNCERTAIN, VerdictReason.POOR_ACCURACY
    elif distance <= accuracy:
        kind, reason = VerdictKind.INSIDE, VerdictReason.DISC_TOUCHES
    elif distance > accuracy + settings.tolerance_m:
        kind, reason = VerdictKind.OUTSIDE, VerdictReason.BEYOND_ACCURACY
    else:
        kind, reason = VerdictKind.UNCERTAIN, VerdictReason.WITHIN_TOLERANCE
    return Verdict(kind, distance, reason, weak, accuracy)
