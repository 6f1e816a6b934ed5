"""Hysteresis over one live-location stream: a breach only when outside persists."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from geofence.fixes import Fix
from geofence.settings import DEFAULT_SETTINGS, GeofenceSettings
from geofence.verdicts import Verdict, VerdictKind


class StreamEvent(StrEnum):
    """What a new fix changed about the stream."""

    NONE = "none"
    BREACH = "breach"  # outside long enough: raise an alert
    RETURNED = "returned"  # first inside after a breach: update the open alert


@dataclass(frozen=True, slots=True)
class TrackerState:
    """Everything the tracker remembers between edits; store it with to_dict."""

    last_taken_at: datetime | None = None
    outside_since: datetime | None = None  # taken_at of the first fix of the outside run
    outside_fixes: int = 0  # consecutive outside fixes, uncertain ones skipped
    breached: bool = False
    breached_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable form."""
        return {
            "last_taken_at": _iso(self.last_taken_at),
            "outside_since": _iso(self.outside_since),
            "outside_fixes": self.outside_fixes,
            "breached": self.breached,
            "breached_at": _iso(self.breached_at),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> TrackerState:
        """Rebuild from to_dict output; None or {} gives a fresh state."""
        if not data:
            return cls()
        try:
            return cls(
                last_taken_at=_parse(data.get("last_taken_at")),
                outside_since=_parse(data.get("outside_since")),
                outside_fixes=int(data.get("outside_fixes", 0)),
                breached=bool(data.get("breached", False)),
                breached_at=_parse(data.get("breached_at")),
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"expected a tracker state dict, got {data!r}") from exc


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: object) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO timestamp, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"expected a timezone-aware timestamp, got {value!r}")
    return parsed


@dataclass(frozen=True, slots=True)
class StreamUpdate:
    """The outcome of feeding one fix: the event, the state to store, and whether it was used."""

    event: StreamEvent
    state: TrackerState
    ignored: bool = False  # out of order or a repeat: state unchanged


def advance(
    state: TrackerState,
    fix: Fix,
    verdict: Verdict,
    settings: GeofenceSettings = DEFAULT_SETTINGS,
) -> StreamUpdate:
    """Feed the next fix of a stream (with its verdict) and return the event and new state."""
    if state.last_taken_at is not None and fix.taken_at <= state.last_taken_at:
        # Telegram may deliver edits late or twice; an older position must not rewrite history.
        return StreamUpdate(StreamEvent.NONE, state, ignored=True)
    state = replace(state, last_taken_at=fix.taken_at)

    if verdict.kind is VerdictKind.UNCERTAIN:
        return StreamUpdate(StreamEvent.NONE, state)

    if verdict.kind is VerdictKind.INSIDE:
        event = StreamEvent.RETURNED if state.breached else StreamEvent.NONE
        cleared = replace(
            state, outside_since=None, outside_fixes=0, breached=False, breached_at=None
        )
        return StreamUpdate(event, cleared)

    since = state.outside_since or fix.taken_at
    count = state.outside_fixes + 1
    state = replace(state, outside_since=since, outside_fixes=count)
    if (
        not state.breached
        and count >= settings.breach_min_fixes
        and (fix.taken_at - since).total_seconds() >= settings.breach_min_seconds
    ):
        return StreamUpdate(
            StreamEvent.BREACH, replace(state, breached=True, breached_at=fix.taken_at)
        )
    return StreamUpdate(StreamEvent.NONE, state)
