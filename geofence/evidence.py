"""Evidence rules: which location messages count as proof of where someone is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from pyproj import Geod

from geofence.fixes import Fix
from geofence.settings import DEFAULT_SETTINGS, GeofenceSettings

_GEOD = Geod(ellps="WGS84")


class RejectionReason(StrEnum):
    """Why a location message is not accepted as evidence."""

    FORWARDED = "forwarded"
    VENUE = "venue"
    STALE = "stale"
    OUTSIDE_COUNTRY = "outside_country"
    IMPOSSIBLE_JUMP = "impossible_jump"

    @property
    def message_key(self) -> str:
        """Catalogue key of the reply that explains the rejection."""
        return f"location.rejected.{self.value}"


REJECTION_MESSAGE_KEYS: tuple[str, ...] = tuple(r.message_key for r in RejectionReason)


@dataclass(frozen=True, slots=True)
class Rejection:
    """A rejected location, with values for the reply (e.g. age_s, max_age_s, speed_kmh)."""

    reason: RejectionReason
    params: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def message_key(self) -> str:
        """Catalogue key of the reply that explains the rejection."""
        return self.reason.message_key


def _effective_accuracy(fix: Fix, settings: GeofenceSettings) -> float:
    return settings.assumed_accuracy_m if fix.accuracy_m is None else fix.accuracy_m


def check_evidence(
    fix: Fix,
    *,
    forwarded: bool,
    is_venue: bool,
    message_date: datetime,
    now: datetime,
    previous: Fix | None = None,
    settings: GeofenceSettings = DEFAULT_SETTINGS,
) -> Rejection | None:
    """Return why the location must be rejected, or None when it is acceptable evidence.

    `message_date` is when Telegram stamped the message: its edit date for a live-location
    edit, its date otherwise. `previous` is the last accepted fix of the same case.
    """
    if message_date.tzinfo is None or now.tzinfo is None:
        raise ValueError("expected timezone-aware message_date and now")
    if forwarded:
        return Rejection(RejectionReason.FORWARDED)
    if is_venue:
        return Rejection(RejectionReason.VENUE)
    # A message dated slightly in the future is clock skew, not staleness.
    age = (now - message_date).total_seconds()
    if age > settings.max_fix_age_s:
        return Rejection(
            RejectionReason.STALE,
            MappingProxyType({"age_s": age, "max_age_s": settings.max_fix_age_s}),
        )
    if not (
        settings.min_lat <= fix.lat <= settings.max_lat
        and settings.min_lon <= fix.lon <= settings.max_lon
    ):
        return Rejection(RejectionReason.OUTSIDE_COUNTRY)
    if previous is not None:
        speed_kmh = _speed_kmh(previous, fix, settings)
        if speed_kmh > settings.max_speed_kmh:
            return Rejection(
                RejectionReason.IMPOSSIBLE_JUMP,
                MappingProxyType({"speed_kmh": speed_kmh, "max_speed_kmh": settings.max_speed_kmh}),
            )
    return None


def _speed_kmh(previous: Fix, fix: Fix, settings: GeofenceSettings) -> float:
    """The speed the move from `previous` to `fix` implies; 0 where it implies no movement."""
    seconds = abs((fix.taken_at - previous.taken_at).total_seconds())
    # Telegram dates messages in whole seconds, so two fixes stamped 0 or 1 s apart may be a
    # few hundred milliseconds apart: a phone refining a vague fix ("send it again") would
    # read as a car on a motorway. No interval that short tells movement from refinement.
    if seconds < settings.min_jump_interval_s:
        return 0.0
    _, _, metres = _GEOD.inv(previous.lon, previous.lat, fix.lon, fix.lat)
    # Both positions are only known to within their accuracy discs: discs that overlap may
    # be the same spot, and only the distance no error can explain counts as movement.
    moved = max(
        0.0,
        float(metres)
        - _effective_accuracy(fix, settings)
        - _effective_accuracy(previous, settings),
    )
    return moved / seconds * 3.6
