"""Lifecycle: extend, release, hospitalized and transfer by an officer; release on the end date."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.alerts import UNREACHABLE, raise_alert
from bot.areas import CommuneView, commune_view, resolve_commune
from bot.cases.base import CaseSeam
from bot.cases.display import tell_officers, tell_person
from bot.cases.home import ask_for_home
from bot.cases.queries import may_see, visible_case
from bot.cases.registration import unique_code
from bot.cases.values import (
    ACTIONS,
    ACTIVE,
    EXTEND,
    HOME_NOT_SET,
    HOSPITALIZE,
    HOSPITALIZED,
    OPEN_STATUSES,
    PENDING,
    RELEASE,
    RELEASED,
    TRANSFER,
    TRANSFERRED,
    CaseAction,
    CaseStatus,
    ChangePreview,
)
from bot.errors import NotAuthorised, UserError
from bot.models import Case
from bot.officers import require_officer

MAX_EXTEND_DAYS = 60
RELEASE_BATCH = 500


class Lifecycle(CaseSeam):
    """Changes officers confirm, and the ticks that release and flag cases."""

    async def preview_change(
        self,
        telegram_user_id: int,
        code: str,
        action: str,
        *,
        days: int | None = None,
        commune: str | None = None,
    ) -> ChangePreview:
        """Check a lifecycle change before the officer confirms it; nothing is written."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await visible_case(session, officer, code)
            return await self._check_change(session, case, action, days, commune)

    async def _check_change(
        self,
        session: AsyncSession,
        case: Case,
        action: str,
        days: int | None,
        commune: str | None,
    ) -> ChangePreview:
        if action not in ACTIONS:
            raise UserError("auth.not_allowed")
        chosen = CaseAction(action)
        allowed = (PENDING, ACTIVE) if chosen == HOSPITALIZE else OPEN_STATUSES
        if case.status not in allowed:
            raise UserError("cases.closed", code=case.code)
        view = await self._view(session, case)
        if chosen == EXTEND:
            if days is None or not 1 <= days <= MAX_EXTEND_DAYS:
                raise UserError("cases.bad_days", limit=MAX_EXTEND_DAYS)
            return ChangePreview(view, chosen, days, case.end_date + timedelta(days=days))
        if chosen == TRANSFER:
            target = await resolve_commune(session, commune or "", self._provinces)
            if target is None:
                raise UserError("admin.unknown_commune", query=(commune or "")[:60])
            if target.code == case.commune_code:
                raise UserError("cases.same_commune")
            return ChangePreview(view, chosen, target=target)
        return ChangePreview(view, chosen)

    async def apply_change(
        self,
        telegram_user_id: int,
        case_id: int,
        action: str,
        *,
        days: int | None = None,
        commune: str | None = None,
    ) -> ChangePreview:
        """Make a confirmed lifecycle change, re-checking rights and state first."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await session.get(Case, case_id, with_for_update=True)
            if case is None or not may_see(officer, case):
                raise NotAuthorised()
            preview = await self._check_change(session, case, action, days, commune)
            actor = audit.officer_actor(officer.id)
            details = await self._apply(session, case, preview, actor, now)
            case.updated_at = now
            audit.record(
                session,
                at=now,
                actor=actor,
                action=f"case.{preview.action}",
                subject_type="case",
                subject_id=case.id,
                **details,
            )
            return ChangePreview(
                await self._view(session, case),
                preview.action,
                days,
                preview.new_end_date,
                preview.target,
            )

    async def _apply(
        self, session: AsyncSession, case: Case, preview: ChangePreview, actor: str, now: datetime
    ) -> dict[str, Any]:
        """Change the case as checked; returns the audit entry's details."""
        if preview.action == EXTEND:
            assert preview.new_end_date is not None
            details = {"from": case.end_date.isoformat(), "to": preview.new_end_date.isoformat()}
            case.end_date = preview.new_end_date
            await tell_person(
                session,
                case,
                "cases.person.extended",
                now,
                name=case.full_name,
                end=case.end_date.strftime("%d/%m/%Y"),
            )
            return details
        if preview.action == RELEASE:
            await _close(session, case, RELEASED, now, "cases.person.released")
            return {}
        if preview.action == HOSPITALIZE:
            case.status = HOSPITALIZED
            case.enrolment_code_hash = None
            await tell_person(session, case, "cases.person.hospitalized", now)
            return {}
        assert preview.target is not None
        moved = await _transfer(session, case, preview.target, actor, now)
        return {"to_commune": preview.target.code, "new_case": moved.id}

    # ---- ticks -----------------------------------------------------------------------

    async def release_due(self) -> int:
        """Release every case whose end date has come (at the configured local time)."""
        now = self._clock.now()
        local = now.astimezone(self._settings.schedule.tz)
        cutoff = local.date()
        if local.time() < time.fromisoformat(self._cases.release_time):
            cutoff -= timedelta(days=1)
        released = 0
        while True:
            async with self._db.transaction() as session:
                batch = list(
                    await session.scalars(
                        select(Case)
                        .where(Case.status.in_((PENDING, ACTIVE)), Case.end_date <= cutoff)
                        .order_by(Case.id)
                        .limit(RELEASE_BATCH)
                    )
                )
                for case in batch:
                    await _close(session, case, RELEASED, now, "cases.person.completed")
                    audit.record(
                        session,
                        at=now,
                        actor=audit.SYSTEM,
                        action="case.auto_release",
                        subject_type="case",
                        subject_id=case.id,
                    )
            released += len(batch)
            if len(batch) < RELEASE_BATCH:
                return released

    async def flag_unenrolled(self) -> int:
        """Tell the officers, once, about each case not enrolled by the deadline."""
        now = self._clock.now()
        deadline = now - timedelta(hours=self._cases.enrol_deadline_hours)
        async with self._db.transaction() as session:
            cases = list(
                await session.scalars(
                    select(Case)
                    .where(
                        Case.status == PENDING,
                        Case.enrol_overdue_at.is_(None),
                        Case.created_at <= deadline,
                    )
                    .order_by(Case.id)
                    .limit(RELEASE_BATCH)
                )
            )
            for case in cases:
                case.enrol_overdue_at = now
                await raise_alert(
                    self._alerts,
                    session,
                    kind=UNREACHABLE,
                    commune_code=case.commune_code,
                    now=now,
                    evidence={
                        "reason": "never_enrolled",
                        "hours": self._cases.enrol_deadline_hours,
                    },
                    case_id=case.id,
                )
            return len(cases)


async def _close(
    session: AsyncSession, case: Case, status: CaseStatus, now: datetime, key: str | None
) -> None:
    was_active = case.status == ACTIVE
    case.status = status
    case.closed_at = now
    case.updated_at = now
    case.enrolment_code_hash = None
    case.enrolment_expires_at = None
    if key is not None and was_active:
        await tell_person(session, case, key, now, name=case.full_name)


async def _transfer(
    session: AsyncSession, case: Case, target: CommuneView, actor: str, now: datetime
) -> Case:
    """Close the case here and continue it in the other commune, with a new code."""
    moved = await _continuation(session, case, target, now)
    was_active = case.status == ACTIVE
    case.enrolment_code_hash = None
    await session.flush()
    session.add(moved)
    await session.flush()
    case.status = TRANSFERRED
    case.closed_at = now
    case.transferred_to_id = moved.id
    audit.record(
        session,
        at=now,
        actor=actor,
        action="case.register",
        subject_type="case",
        subject_id=moved.id,
        commune=target.code,
        transferred_from=case.id,
    )
    if was_active and moved.telegram_user_id is not None and moved.chat_id is not None:
        await ask_for_home(session, moved.telegram_user_id, moved.chat_id, now)
        await tell_person(
            session,
            moved,
            "cases.person.transferred",
            now,
            ask_location=True,
            name=moved.full_name,
            commune=target.name,
        )
    source = await commune_view(session, case.commune_code)
    await tell_officers(
        session,
        moved,
        "cases.notice.transferred_in",
        now,
        name=moved.full_name,
        code=moved.code,
        commune=source.name,
    )
    return moved


async def _continuation(
    session: AsyncSession, case: Case, target: CommuneView, now: datetime
) -> Case:
    """The case as it goes on in the other commune: same person and dates, a new code."""
    return Case(
        code=await unique_code(session),
        full_name=case.full_name,
        phone=case.phone,
        birth_year=case.birth_year,
        address="",
        commune_code=target.code,
        province_code=target.province_code,
        kind=case.kind,
        source_case_id=case.source_case_id,
        start_date=case.start_date,
        end_date=case.end_date,
        status=case.status,
        language=case.language,
        # A new commune means a new home: it is anchored again.
        zone=None,
        home_status=HOME_NOT_SET,
        chat_id=case.chat_id,
        telegram_user_id=case.telegram_user_id,
        consent_at=case.consent_at,
        enrolled_at=case.enrolled_at,
        enrolment_code_hash=case.enrolment_code_hash,
        enrolment_expires_at=case.enrolment_expires_at,
        checkin_times=case.checkin_times,
        created_at=now,
        updated_at=now,
    )
