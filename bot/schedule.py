"""When check-ins are due: local times of day to UTC occurrences, spread per case (pure)."""

from __future__ import annotations

import hashlib
import random
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The fractional part of the golden ratio: case ids 1, 2, 3, ... multiplied by it fall
# evenly over [0, 1) (a low-discrepancy sequence), so a commune's cases, numbered one
# after another, are spread flat over the round instead of clumping as a hash would.
_GOLDEN = 0.6180339887498949


@dataclass(frozen=True)
class Occurrence:
    """One check-in to create: its nominal (round) time and its spread due time, UTC."""

    kind: str  # scheduled | spot
    nominal_at: datetime
    due_at: datetime


def spread_offset(case_id: int, spread_minutes: int) -> timedelta:
    """The case's stable offset after each nominal time, in whole seconds below the spread."""
    if spread_minutes <= 0:
        return timedelta(0)
    fraction = (case_id * _GOLDEN) % 1.0
    return timedelta(seconds=int(fraction * spread_minutes * 60))


def parse_times(values: Sequence[str]) -> list[time]:
    """Times of day from "HH:MM" strings, sorted and without repeats."""
    return sorted({time.fromisoformat(value) for value in values})


def _days(start: datetime, end: datetime, tz: ZoneInfo) -> Iterator[date]:
    day = start.astimezone(tz).date() - timedelta(days=1)
    last = end.astimezone(tz).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _at(day: date, moment: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, moment, tzinfo=tz).astimezone(UTC)


def round_times(
    times: Sequence[str], tz: ZoneInfo, after: datetime, until: datetime
) -> list[datetime]:
    """The nominal UTC times of the given local times of day in (after, until]."""
    moments = parse_times(times)
    found = []
    for day in _days(after, until, tz):
        for moment in moments:
            at = _at(day, moment, tz)
            if after < at <= until:
                found.append(at)
    return found


@dataclass(frozen=True)
class RoundCalendar:
    """The nominal UTC times of some local times of day over a window, worked out once.

    Planning asks the same few sets of times for a million cases whose windows differ only
    by minutes: each case's rounds are then a slice of one sorted list, not a walk of days
    with a time-zone conversion per round.
    """

    start: datetime
    end: datetime
    times: tuple[datetime, ...]

    @classmethod
    def build(
        cls, times: Sequence[str], tz: ZoneInfo, start: datetime, end: datetime
    ) -> RoundCalendar:
        """The calendar of `times` in (start, end]."""
        return cls(start, end, tuple(round_times(times, tz, start, end)))

    def between(self, after: datetime, until: datetime) -> list[datetime] | None:
        """The nominal times in (after, until]; None when that is not inside this window."""
        if after < self.start or until > self.end:
            return None
        return list(self.times[bisect_right(self.times, after) : bisect_right(self.times, until)])


def spot_check_times(
    case_id: int,
    day: date,
    count: int,
    waking_start: str,
    waking_end: str,
    tz: ZoneInfo,
) -> list[datetime]:
    """Random but reproducible times inside waking hours for one case and local day.

    Seeded by case and day, so planning the same day again yields the same times and the
    unique occurrence key keeps them from being written twice.
    """
    seed = hashlib.blake2b(f"{case_id}:{day.isoformat()}".encode(), digest_size=8).digest()
    rng = random.Random(int.from_bytes(seed, "big"))
    start = _at(day, time.fromisoformat(waking_start), tz)
    end = _at(day, time.fromisoformat(waking_end), tz)
    seconds = int((end - start).total_seconds())
    picks = sorted(rng.randrange(seconds) for _ in range(count))
    return [start + timedelta(seconds=s) for s in picks]


def occurrences(
    case_id: int,
    times: Sequence[str],
    tz: ZoneInfo,
    after: datetime,
    until: datetime,
    spread_minutes: int,
    *,
    spot_checks: int = 0,
    waking: tuple[str, str] = ("07:00", "21:00"),
    calendar: RoundCalendar | None = None,
) -> list[Occurrence]:
    """Every occurrence of a case with a nominal time in (after, until], oldest first.

    `calendar`, when it holds these `times` over a window covering (after, until], saves
    working the rounds out again for this case.
    """
    offset = spread_offset(case_id, spread_minutes)
    nominal = calendar.between(after, until) if calendar is not None else None
    if nominal is None:
        nominal = round_times(times, tz, after, until)
    found = [Occurrence("scheduled", at, at + offset) for at in nominal]
    if not spot_checks:
        return found  # already in due order: one offset added to sorted times
    for day in _days(after, until, tz):
        for at in spot_check_times(case_id, day, spot_checks, waking[0], waking[1], tz):
            if after < at <= until:
                found.append(Occurrence("spot", at, at))
    return sorted(found, key=lambda o: (o.due_at, o.kind))


def next_round(
    times: Sequence[str], tz: ZoneInfo, now: datetime, case_id: int, spread_minutes: int
) -> datetime:
    """The due time of the case's next scheduled check-in after now."""
    offset = spread_offset(case_id, spread_minutes)
    upcoming = round_times(times, tz, now - offset, now + timedelta(days=2))
    return upcoming[0] + offset
