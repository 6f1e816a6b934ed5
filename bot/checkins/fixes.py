"""One location fix as a row and as alert evidence: the one place both writers build it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from geofence import Fix, Verdict

# The columns of a location_fixes row, as `fix_values` fills them.
FIX_COLUMNS = (
    "case_id",
    "checkin_id",
    "stream_id",
    "lat",
    "lon",
    "accuracy_m",
    "taken_at",
    "fix_kind",
    "verdict",
    "distance_m",
    "weak",
    "received_at",
)


def fix_values(
    case_id: int,
    fix: Fix,
    verdict: Verdict | None,
    now: datetime,
    *,
    checkin_id: int | None,
    stream_id: int | None,
) -> dict[str, Any]:
    """The values of the location_fixes row recording `fix` (and its verdict, if judged)."""
    return {
        "case_id": case_id,
        "checkin_id": checkin_id,
        "stream_id": stream_id,
        "lat": fix.lat,
        "lon": fix.lon,
        "accuracy_m": fix.accuracy_m,
        "taken_at": fix.taken_at,
        "fix_kind": fix.kind.value,
        "verdict": verdict.kind.value if verdict is not None else None,
        "distance_m": verdict.distance_m if verdict is not None else None,
        "weak": fix.accuracy_m is None,
        "received_at": now,
    }


def fix_evidence(
    fix: Fix, distance_m: float, accuracy_m: float, checkin_id: int | None
) -> dict[str, Any]:
    """An out-of-zone alert's evidence about the fix."""
    # Coordinates go to the alert only (officers see the pin), never to logs or the audit.
    evidence: dict[str, Any] = {
        "lat": fix.lat,
        "lon": fix.lon,
        "distance_m": round(distance_m),
        "accuracy_m": round(accuracy_m),
        "weak": fix.accuracy_m is None,
    }
    if checkin_id is not None:
        evidence["checkin"] = checkin_id
    return evidence
