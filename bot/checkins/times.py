"""Per-case check-in times: an officer's /times, previewed and then confirmed."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import delete, select

from bot import audit, policy
from bot.case_files import normalise_code
from bot.checkins.values import SCHEDULED, TimesPreview
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.errors import NotAuthorised, UserError
from bot.models import Case, Checkin, CheckinPlan, Officer
from bot.officers import active_officer, require_officer
from bot.schedule import parse_times

_HHMM = re.compile(r"^(\d{1,2})(?:[:h.](\d{2})?)?$")
MAX_TIMES = 6


def normalise_times(times: Sequence[str]) -> tuple[str, ...]:
    """ "8:00", "08:00", "8h", "17h30" as sorted "HH:MM" without repeats; refused when wrong."""
    found = []
    for value in times:
        match = _HHMM.match(value.strip().lower())
        hour, minute = (int(match.group(1)), int(match.group(2) or 0)) if match else (99, 0)
        if hour > 23 or minute > 59:
            raise UserError("checkin.bad_times", value=value[:10])
        found.append(f"{hour:02d}:{minute:02d}")
    normalised = tuple(moment.strftime("%H:%M") for moment in parse_times(found))
    if len(normalised) > MAX_TIMES:
        raise UserError("checkin.bad_times", value=str(len(normalised)))
    return normalised


def _may_change(officer: Officer, case: Case) -> bool:
    return policy.may_see(officer, case.commune_code, case.province_code)


class CheckinTimes:
    """Gives one case its own check-in times, in the officer's scope."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._checkins = settings.checkins

    async def times_preview(
        self, officer_telegram_id: int, code: str, times: Sequence[str]
    ) -> TimesPreview:
        """/times <code> HH:MM ...: what would change, for the officer to confirm."""
        normalised = normalise_times(times)
        async with self._db.transaction() as session:
            officer = await require_officer(session, officer_telegram_id)
            wanted = normalise_code(code)
            case = await session.scalar(select(Case).where(Case.code == wanted)) if wanted else None
            if case is None or not _may_change(officer, case):
                # The same answer for "no such case" and "not yours": codes reveal nothing.
                raise UserError("cases.not_found", code=(wanted or code.strip())[:12])
            if case.status not in ("active", "pending"):
                raise UserError("checkin.times_closed", code=case.code)
            current = tuple(case.checkin_times or self._checkins.times_for(case.kind))
            return TimesPreview(case.id, case.code, case.full_name, current, normalised)

    async def set_times(
        self, officer_telegram_id: int, case_id: int, times: Sequence[str]
    ) -> tuple[str, ...]:
        """An officer gives one case its own check-in times (local "HH:MM"); empty resets."""
        now = self._clock.now()
        normalised = normalise_times(times)
        async with self._db.transaction() as session:
            officer = await active_officer(session, officer_telegram_id)
            case = await session.get(Case, case_id)
            if officer is None or case is None or not _may_change(officer, case):
                raise NotAuthorised()
            case.checkin_times = list(normalised) or None
            case.updated_at = now
            # Rounds not yet prompted are planned again from the new times.
            await session.execute(
                delete(Checkin).where(
                    Checkin.case_id == case.id,
                    Checkin.state == SCHEDULED,
                    Checkin.kind == SCHEDULED,
                )
            )
            await session.execute(delete(CheckinPlan).where(CheckinPlan.case_id == case.id))
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.checkin_times",
                subject_type="case",
                subject_id=case.id,
                times=list(normalised),
            )
            return normalised
