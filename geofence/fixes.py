"""A location fix as reported by a phone."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

MAX_ACCURACY_VALUE_M = 1500.0  # Telegram's documented upper bound for horizontal_accuracy


class FixProblem(StrEnum):
    """Why a reported position cannot be a position on Earth (or a phone's accuracy)."""

    LATITUDE = "latitude"  # not a finite number between -90 and 90
    LONGITUDE = "longitude"  # not a finite number between -180 and 180
    ACCURACY = "accuracy"  # negative, not finite, or beyond what Telegram can report


def fix_problem(lat: float, lon: float, accuracy_m: float | None) -> FixProblem | None:
    """What is impossible about these values, or None; the one rule `Fix` enforces."""
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        return FixProblem.LATITUDE
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        return FixProblem.LONGITUDE
    if accuracy_m is not None and not (
        math.isfinite(accuracy_m) and 0.0 <= accuracy_m <= MAX_ACCURACY_VALUE_M
    ):
        return FixProblem.ACCURACY
    return None


class FixKind(StrEnum):
    """How the location was sent."""

    LIVE = "live"  # a live-location message or one of its edits
    CURRENT = "current"  # one-tap "send my current location"
    OTHER = "other"  # anything else, e.g. a pin moved by hand on the map


@dataclass(frozen=True, slots=True)
class Fix:
    """One position: WGS84 degrees, optional accuracy radius in metres, UTC time taken."""

    lat: float
    lon: float
    accuracy_m: float | None
    taken_at: datetime
    kind: FixKind = FixKind.OTHER

    def __post_init__(self) -> None:
        # The message names the bad field, not its value: a traceback must not hold a position.
        problem = fix_problem(self.lat, self.lon, self.accuracy_m)
        if problem is not None:
            raise ValueError(f"impossible fix: bad {problem.value}")
        if self.taken_at.tzinfo is None or self.taken_at.utcoffset() is None:
            raise ValueError("expected a timezone-aware taken_at")
        # Normalised so that comparisons and stored ISO strings never depend on the zone.
        object.__setattr__(self, "taken_at", self.taken_at.astimezone(UTC))
        object.__setattr__(self, "kind", FixKind(self.kind))

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form."""
        return {
            "lat": self.lat,
            "lon": self.lon,
            "accuracy_m": self.accuracy_m,
            "taken_at": self.taken_at.isoformat(),
            "kind": self.kind.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Fix:
        """Rebuild a fix from `to_dict` output; raises ValueError on malformed data."""
        try:
            accuracy = data["accuracy_m"]
            return cls(
                lat=float(data["lat"]),
                lon=float(data["lon"]),
                accuracy_m=None if accuracy is None else float(accuracy),
                taken_at=datetime.fromisoformat(data["taken_at"]),
                kind=FixKind(data.get("kind", FixKind.OTHER.value)),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"expected a fix dict, got {data!r}") from exc
