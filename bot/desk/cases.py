"""The desk's case list (filters, diacritics-free search) and one case's timeline.

Scope is the bot's (bot/policy.py): a case outside the caller's area is "not found", the
same answer as for no such case. Every view of a case's page is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, policy
from bot.alerts.counts import local_day_bounds
from bot.cases.values import ACTIVE, OPEN_STATUSES
from bot.clock import Clock
from bot.db import Database
from bot.desk.scope import desk_officer
from bot.errors import UserError
from bot.models import Alert, AuditEntry, Case, Checkin, Commune, LocationFix, Officer
from bot.text import fold

LIST_LIMIT = 500


@dataclass(frozen=True)
class CaseFilters:
    """What the list is narrowed to; empty values narrow nothing."""

    status: str = ""
    kind: str = ""
    missing_home: bool = False
    not_enrolled: bool = False
    missed_today: bool = False
    query: str = ""
    commune_code: int | None = None


@dataclass(frozen=True)
class DeskCase:
    """A case as the desk lists it."""

    id: int
    code: str
    full_name: str
    phone: str
    commune_name: str
    kind: str
    status: str
    end_date: date
    home_status: str
    enrolled: bool


@dataclass(frozen=True)
class Event:
    """One line of a case's timeline: when, what kind, and its plain facts."""

    at: datetime
    kind: str  # checkin | fix | alert | action
    what: str
    detail: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Vital:
    """Temperature and SpO2 of one answered check-in."""

    at: datetime
    temperature: float | None
    spo2: float | None


@dataclass(frozen=True)
class CaseTimeline:
    """A case's page: the case, its events newest first, its vitals oldest first."""

    case: DeskCase
    events: tuple[Event, ...]
    vitals: tuple[Vital, ...]
    fixes: tuple[tuple[float, float, str | None], ...]


class DeskCaseService:
    """Cases of the signed-in officer's area."""

    def __init__(self, db: Database, clock: Clock, tz: tzinfo) -> None:
        self._db = db
        self._clock = clock
        self._tz = tz

    async def cases(self, officer_id: int, filters: CaseFilters) -> list[DeskCase]:
        """The area's cases matching the filters, by status and end date."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await desk_officer(session, officer_id)
            statement = (
                select(Case, Commune.name)
                .join(Commune, Commune.code == Case.commune_code)
                .where(policy.area_clause(officer, Case.commune_code, Case.province_code))
                .order_by(Case.status, Case.end_date, Case.id)
            )
            if filters.status:
                statement = statement.where(Case.status == filters.status)
            else:
                statement = statement.where(Case.status.in_(OPEN_STATUSES))
            if filters.kind:
                statement = statement.where(Case.kind == filters.kind)
            if filters.commune_code is not None:
                statement = statement.where(Case.commune_code == filters.commune_code)
            if filters.missing_home:
                statement = statement.where(Case.home_status != "set")
            if filters.not_enrolled:
                statement = statement.where(Case.enrolled_at.is_(None))
            if filters.missed_today:
                start, end = local_day_bounds(now.astimezone(self._tz).date(), self._tz)
                statement = statement.where(
                    Case.id.in_(
                        select(Checkin.case_id).where(
                            Checkin.outcome == "missed",
                            Checkin.closes_at >= start,
                            Checkin.closes_at < end,
                        )
                    )
                )
            rows = (await session.execute(statement)).all()
        wanted = fold(filters.query)
        digits = "".join(ch for ch in filters.query if ch.isdecimal())
        found = []
        for case, commune_name in rows:
            if wanted and not _matches(case, wanted, digits):
                continue
            found.append(_desk_case(case, commune_name))
            if len(found) >= LIST_LIMIT:
                break
        return found

    async def case(self, officer_id: int, case_id: int) -> DeskCase:
        """One case of the area, for a confirmation (not a view of its page: not audited)."""
        async with self._db.transaction() as session:
            officer = await desk_officer(session, officer_id)
            return _desk_case(*await _visible(session, officer, case_id))

    async def timeline(self, officer_id: int, case_id: int) -> CaseTimeline:
        """One case's timeline and vitals; the view is audited; outside the area: not found."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await desk_officer(session, officer_id)
            case, commune_name = await _visible(session, officer, case_id)
            checkins, fixes, alerts, actions = await _history(session, case.id, now)
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.web_view",
                subject_type="case",
                subject_id=case.id,
            )
        events = [*_checkin_events(checkins), *_fix_events(fixes), *_alert_events(alerts)]
        events += [Event(a.at, "action", a.action, {"by": a.actor}) for a in actions]
        events.sort(key=lambda e: e.at, reverse=True)
        vitals = tuple(
            Vital(c.answered_at or c.due_at, _number(c.vitals.get("temperature")), _spo2(c))
            for c in checkins
            if c.vitals.get("temperature") is not None or _spo2(c) is not None
        )
        return CaseTimeline(
            case=_desk_case(case, commune_name),
            events=tuple(events),
            vitals=vitals,
            fixes=tuple((f.lat, f.lon, f.verdict) for f in fixes),
        )


async def _visible(session: AsyncSession, officer: Officer, case_id: int) -> tuple[Case, str]:
    """The case and its commune's name; outside the officer's area: not found, as no case."""
    row = (
        await session.execute(
            select(Case, Commune.name)
            .join(Commune, Commune.code == Case.commune_code)
            .where(Case.id == case_id)
        )
    ).first()
    if row is None or not policy.may_see(officer, row[0].commune_code, row[0].province_code):
        raise UserError("web.not_found")
    return row[0], row[1]


async def _history(
    session: AsyncSession, case_id: int, now: datetime
) -> tuple[list[Checkin], list[LocationFix], list[Alert], list[AuditEntry]]:
    """What a case's timeline is made of: due check-ins, fixes, alerts, officers' actions."""
    checkins = await session.scalars(
        select(Checkin)
        .where(Checkin.case_id == case_id, Checkin.due_at <= now)
        .order_by(Checkin.nominal_at)
    )
    fixes = await session.scalars(
        select(LocationFix).where(LocationFix.case_id == case_id).order_by(LocationFix.taken_at)
    )
    alerts = await session.scalars(select(Alert).where(Alert.case_id == case_id))
    actions = await session.scalars(
        select(AuditEntry).where(
            AuditEntry.subject_type == "case", AuditEntry.subject_id == str(case_id)
        )
    )
    return list(checkins), list(fixes), list(alerts), list(actions)


def _matches(case: Case, wanted: str, digits: str) -> bool:
    if wanted in fold(case.full_name) or wanted in case.code.lower():
        return True
    phone = "".join(ch for ch in case.phone if ch.isdecimal())
    # 0912... and +84912... are one number: compare without the leading 0 or 84.
    return len(digits) >= 4 and digits.lstrip("0").removeprefix("84") in phone


def _desk_case(case: Case, commune_name: str) -> DeskCase:
    return DeskCase(
        id=case.id,
        code=case.code,
        full_name=case.full_name,
        phone=case.phone,
        commune_name=commune_name,
        kind=case.kind,
        status=case.status,
        end_date=case.end_date,
        home_status=case.home_status,
        enrolled=case.enrolled_at is not None or case.status == ACTIVE,
    )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _spo2(checkin: Checkin) -> float | None:
    again = _number(checkin.vitals.get("spo2_again"))
    return again if again is not None else _number(checkin.vitals.get("spo2"))


def _checkin_events(checkins: list[Checkin]) -> list[Event]:
    events = []
    for c in checkins:
        detail: dict[str, object] = {
            "outcome": c.outcome or c.state,
            **{k: v for k, v in c.vitals.items() if v is not None},
        }
        if c.answers.get("feeling"):
            detail["feeling"] = c.answers["feeling"]
        if c.danger_signs:
            detail["danger_signs"] = ", ".join(c.danger_signs)
        events.append(Event(c.answered_at or c.closes_at or c.due_at, "checkin", c.kind, detail))
    return events


def _fix_events(fixes: list[LocationFix]) -> list[Event]:
    return [
        Event(
            f.taken_at,
            "fix",
            f.verdict or "unchecked",
            {"distance_m": round(f.distance_m) if f.distance_m is not None else ""},
        )
        for f in fixes
    ]


def _alert_events(alerts: list[Alert]) -> list[Event]:
    return [Event(a.opened_at, "alert", a.kind, {"state": a.state}) for a in alerts]
