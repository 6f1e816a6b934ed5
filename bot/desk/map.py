"""The map's data: communes with their counts, open alerts, homes and citizen reports.

A supervisor sees the province, an officer their commune (bot/policy.py decides). Homes
are drawn only for the commune's own officers. The communes with their active cases are one
statement and each layer of pins one more; today's check-ins per commune, the one costly
count, is reused for 30 s per area (benchmarks/bench_map.py times both). The boundaries,
which change only when loaded, come apart (`boundaries`), versioned by their load time,
for the page to keep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import policy
from bot.alerts.counts import local_day_bounds
from bot.cases.values import ACTIVE
from bot.clock import Clock
from bot.db import Database
from bot.desk.scope import desk_officer
from bot.models import Alert, Case, Checkin, CitizenReport, Commune, Officer

OPEN_STATES = ("open", "acknowledged")
# The version of a boundary loaded before load times were kept.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Today's check-in counts of an area are reused this long (the missed share's colouring);
# active cases, alerts, homes and reports are read at every request.
DAY_COUNT_TTL = timedelta(seconds=30)
OPEN_REPORT_STATES = ("open", "acknowledged")


@dataclass(frozen=True)
class CommuneShape:
    """A commune on the map: when its boundary was loaded (its version) and today's figures."""

    code: int
    name: str
    # None: no boundary loaded (the commune is listed, not drawn). The boundary itself comes
    # from `MapService.boundaries`, so that a page can keep it between requests.
    boundary_at: datetime | None
    active: int
    due_today: int
    missed_today: int

    @property
    def missed_share(self) -> float:
        """Missed check-ins today as a share of those whose window closed."""
        return self.missed_today / self.due_today if self.due_today else 0.0


@dataclass(frozen=True)
class Pin:
    """Something at a point: an alert (by kind), a home or a report; `ref` opens it."""

    ref: int
    kind: str
    lat: float
    lon: float


@dataclass(frozen=True)
class MapData:
    """Everything the map page draws for one officer or supervisor."""

    communes: tuple[CommuneShape, ...]
    alerts: tuple[Pin, ...]
    homes: tuple[Pin, ...]
    reports: tuple[Pin, ...]


def _centre(zone: dict[str, Any] | None) -> tuple[float, float] | None:
    if not zone:
        return None
    if zone.get("type") == "circle":
        return float(zone["lat"]), float(zone["lon"])
    ring = zone.get("ring") or []  # (lon, lat) positions, closed: the first is the last
    points = ring[:-1] or ring
    if not points:
        return None
    return (
        sum(float(p[1]) for p in points) / len(points),
        sum(float(p[0]) for p in points) / len(points),
    )


class MapService:
    """Builds the map's data for the signed-in officer's area."""

    def __init__(self, db: Database, clock: Clock, tz: tzinfo) -> None:
        self._db = db
        self._clock = clock
        self._tz = tz
        # Per area (a commune or a province): the day, when counted, the counts. One entry
        # per area at most: memory does not grow with cases.
        self._days: dict[
            tuple[str, int], tuple[datetime, datetime, dict[int, tuple[int, int]]]
        ] = {}

    async def boundaries(self, codes: Sequence[int]) -> dict[int, tuple[datetime, dict[str, Any]]]:
        """The boundaries (GeoJSON geometry) of these communes, with when each was loaded."""
        if not codes:
            return {}
        async with self._db.transaction() as session:
            rows = await session.execute(
                select(Commune.code, Commune.boundary_loaded_at, Commune.boundary).where(
                    Commune.code.in_(list(codes)), Commune.boundary.is_not(None)
                )
            )
            return {code: (at or EPOCH, boundary) for code, at, boundary in rows}

    async def data(self, officer_id: int) -> MapData:
        """The communes, alert pins, homes (own commune only) and reports in the area."""
        now = self._clock.now()
        start, end = local_day_bounds(now.astimezone(self._tz).date(), self._tz)
        async with self._db.transaction() as session:
            officer = await desk_officer(session, officer_id)
            day = await self._day(session, officer, now, start, end)
            shapes = await _shapes(session, officer, day)
            alerts = await _alert_pins(session, officer)
            homes = await _home_pins(session, officer)
            reports = await _report_pins(session, officer)
        return MapData(shapes, alerts, homes, reports)

    async def _day(
        self, session: AsyncSession, officer: Officer, now: datetime, start: datetime, end: datetime
    ) -> dict[int, tuple[int, int]]:
        """Today's closed and missed check-ins per commune, counted at most every 30 s."""
        area = (
            ("commune", officer.commune_code or 0)
            if policy.is_commune_officer(officer)
            else ("province", officer.province_code)
        )
        kept = self._days.get(area)
        if kept is not None and kept[0] == start and now - kept[1] < DAY_COUNT_TTL:
            return kept[2]
        counted = await _day_counts(session, officer, now, start, end)
        self._days[area] = (start, now, counted)
        return counted


async def _day_counts(
    session: AsyncSession, officer: Officer, now: datetime, start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Check-ins whose window closed today, and of them the missed, per commune of the area.

    The one costly statement of the map (every case's check-ins of the day, joined to the
    case for its commune: about 0.15 s at 100,000 cases), hence counted at most every 30 s.
    """
    in_area = policy.area_clause(officer, Case.commune_code, Case.province_code)
    rows = await session.execute(
        select(Case.commune_code, func.count(), func.count().filter(Checkin.outcome == "missed"))
        .select_from(Checkin)
        .join(Case, Case.id == Checkin.case_id)
        .where(
            in_area, Checkin.closes_at >= start, Checkin.closes_at < end, Checkin.closes_at <= now
        )
        .group_by(Case.commune_code)
    )
    return {code: (int(closed), int(missed)) for code, closed, missed in rows}


async def _shapes(
    session: AsyncSession, officer: Officer, day: dict[int, tuple[int, int]]
) -> tuple[CommuneShape, ...]:
    """Each commune of the area with its boundary's version and its active cases (counted
    now: one covering-index range per commune, ix_cases_commune_status)."""
    active = (
        select(func.count())
        .where(Case.commune_code == Commune.code, Case.status == ACTIVE)
        .scalar_subquery()
    )
    rows = await session.execute(
        select(
            Commune.code,
            Commune.name,
            Commune.boundary_loaded_at,
            Commune.boundary.is_not(None),
            active,
        )
        .where(policy.area_clause(officer, Commune.code, Commune.province_code))
        .order_by(Commune.name)
    )
    return tuple(
        CommuneShape(
            code=code,
            name=name,
            boundary_at=(loaded_at or EPOCH) if drawn else None,
            active=int(active_count or 0),
            due_today=day.get(code, (0, 0))[0],
            missed_today=day.get(code, (0, 0))[1],
        )
        for code, name, loaded_at, drawn, active_count in rows
    )


async def _alert_pins(session: AsyncSession, officer: Officer) -> tuple[Pin, ...]:
    """The area's open alerts, pinned at their case's home."""
    # A correlated subquery: one primary-key lookup per alert. A join (or IN) makes
    # PostgreSQL's planner hash the province's every case for a few hundred alerts.
    zone = select(Case.zone).where(Case.id == Alert.case_id).scalar_subquery()
    rows = await session.execute(
        select(Alert.id, Alert.kind, zone).where(
            policy.area_clause(officer, Alert.commune_code, Alert.province_code),
            Alert.state.in_(OPEN_STATES),
            Alert.case_id.is_not(None),
        )
    )
    pins = []
    for alert_id, kind, home in rows:
        centre = _centre(home)
        if centre is not None:
            pins.append(Pin(alert_id, kind, *centre))
    return tuple(pins)


async def _home_pins(session: AsyncSession, officer: Officer) -> tuple[Pin, ...]:
    """The homes of the commune's active cases: for its own officers only."""
    if not policy.is_commune_officer(officer):
        return ()
    in_area = policy.area_clause(officer, Case.commune_code, Case.province_code)
    rows = (
        await session.execute(
            select(Case.id, Case.zone).where(in_area, Case.status == ACTIVE, Case.zone.is_not(None))
        )
    ).all()
    pins = []
    for case_id, zone in rows:
        centre = _centre(zone)
        if centre is not None:
            pins.append(Pin(case_id, "home", *centre))
    return tuple(pins)


async def _report_pins(session: AsyncSession, officer: Officer) -> tuple[Pin, ...]:
    """The area's open citizen reports that carry a location."""
    rows = (
        await session.execute(
            select(CitizenReport.id, CitizenReport.location).where(
                policy.area_clause(
                    officer, CitizenReport.commune_code, CitizenReport.province_code
                ),
                CitizenReport.state.in_(OPEN_REPORT_STATES),
                CitizenReport.location.is_not(None),
            )
        )
    ).all()
    return tuple(
        Pin(report_id, "report", float(loc["lat"]), float(loc["lon"]))
        for report_id, loc in rows
        if loc
    )
