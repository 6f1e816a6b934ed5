"""A case row turned into the CaseView officers see."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.alerts import OPEN_STATES
from bot.cases.values import (
    PENDING,
    CaseStatus,
    CaseView,
    CheckinAnswers,
    HomeStatus,
    OpenAlert,
    isolation_day,
)
from bot.models import Alert, Case, Checkin, Commune, LocationFix

# How many answered check-ins the card's trend covers: two or three days of rounds.
TREND_CHECKINS = 6


async def case_view(
    session: AsyncSession,
    case: Case,
    today: date,
    now: datetime,
    deadline_hours: int,
    *,
    latest: bool = False,
) -> CaseView:
    """The case as officers see it; `latest` adds its recent answers, location and alerts."""
    commune = await session.scalar(select(Commune.name).where(Commune.code == case.commune_code))
    source = (
        await session.scalar(select(Case.code).where(Case.id == case.source_case_id))
        if case.source_case_id is not None
        else None
    )
    answered, fix = await _latest(session, case.id) if latest else (None, None)
    day, total = isolation_day(case.start_date, case.end_date, today)
    overdue = case.status == PENDING and (
        case.enrol_overdue_at is not None
        or case.created_at + timedelta(hours=deadline_hours) <= now
    )
    return CaseView(
        id=case.id,
        code=case.code,
        full_name=case.full_name,
        phone=case.phone,
        birth_year=case.birth_year,
        address=case.address,
        commune_code=case.commune_code,
        commune_name=commune or "",
        kind=case.kind,
        source_code=source,
        start_date=case.start_date,
        end_date=case.end_date,
        status=CaseStatus(case.status),
        home_status=HomeStatus(case.home_status),
        zone=case.zone,
        enrolled=case.consent_at is not None,
        enrol_overdue=overdue,
        consent_refused=case.consent_refused_at is not None and case.status == PENDING,
        day=day,
        total_days=total,
        last_checkin_at=answered,
        last_location_at=fix.taken_at if fix else None,
        last_verdict=fix.verdict if fix else None,
        last_distance_m=fix.distance_m if fix else None,
        last_accuracy_m=fix.accuracy_m if fix else None,
        recent=await _recent(session, case.id) if latest else (),
        open_alerts=await _open_alerts(session, case.id) if latest else (),
        channel=case.channel,
    )


async def _latest(
    session: AsyncSession, case_id: int
) -> tuple[datetime | None, LocationFix | None]:
    """The latest answered check-in and the latest location fix of a case."""
    answered = await session.scalar(
        select(func.max(Checkin.answered_at)).where(Checkin.case_id == case_id)
    )
    fix = await session.scalar(
        select(LocationFix)
        .where(LocationFix.case_id == case_id)
        .order_by(LocationFix.taken_at.desc(), LocationFix.id.desc())
        .limit(1)
    )
    return answered, fix


async def _recent(session: AsyncSession, case_id: int) -> tuple[CheckinAnswers, ...]:
    """The case's last answered check-ins, oldest first."""
    rows = await session.scalars(
        select(Checkin)
        .where(Checkin.case_id == case_id, Checkin.answered_at.is_not(None))
        .order_by(Checkin.answered_at.desc(), Checkin.id.desc())
        .limit(TREND_CHECKINS)
    )
    answers = [
        CheckinAnswers(
            answered_at=row.answered_at,
            feeling=(row.answers or {}).get("feeling"),
            symptoms=tuple((row.answers or {}).get("symptoms", [])),
            vitals=dict(row.vitals or {}),
            danger_signs=tuple(row.danger_signs or []),
        )
        for row in rows
        if row.answered_at is not None
    ]
    return tuple(reversed(answers))


async def _open_alerts(session: AsyncSession, case_id: int) -> tuple[OpenAlert, ...]:
    """The case's alerts still open or taken, most urgent (then newest) first."""
    rows = await session.execute(
        select(Alert.kind, Alert.state, Alert.opened_at)
        .where(Alert.case_id == case_id, Alert.state.in_(OPEN_STATES))
        .order_by(Alert.severity, Alert.opened_at.desc())
    )
    return tuple(OpenAlert(kind, state, opened_at) for kind, state, opened_at in rows.all())
