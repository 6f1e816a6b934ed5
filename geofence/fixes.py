"""A location fix as reported by a phone."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

MAX_ACCURACY_VALUE_M = 1500.0  # Telegram's documented upper bound for horizontal_accuracy


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
        if not (math.isfinite(self.lat) and -90.0 <= self.lat <= 90.0):
            raise ValueError(f"expected latitude between -90 and 90, got {self.lat!r}")
        if not (math.isfinite(self.lon) and -180.0 <= self.lon <= 180.0):
            raise ValueError(f"expected longitude between -180 and 180, got {self.lon!r}")
        if self.accuracy_m is not None and not (
            math.isfinite(self.accuracy_m) and 0.0 <= self.accuracy_m <= MAX_ACCURACY_VALUE_M
        ):
            raise ValueError(f"expected accuracy between 0 and 1500 m, got {self.accuracy_m!r}")
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
