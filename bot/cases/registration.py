"""Registration: an officer enters one case in chat and gets its enrolment link."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.areas import CommuneView, commune_view
from bot.case_files import CaseDraft, FieldError
from bot.cases.base import CaseSeam
from bot.cases.enrolment import enrolment_link, new_enrolment_code
from bot.cases.queries import commune_officer, visible_case
from bot.cases.values import HOME_NOT_SET, HOME_SET, OPEN_STATUSES, PENDING, CaseView, IssuedLink
from bot.cases.views import case_view
from bot.config import Settings
from bot.dialogues import end_dialogue
from bot.errors import UserError
from bot.models import Case, Officer
from bot.officers import require_officer
from bot.text import fold
from geofence import ZoneError, make_circle

# No 0/O, 1/I/L: a code read out over the phone or copied from paper stays unambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_case_code() -> str:
    """A random case code of unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


async def unique_code(session: AsyncSession) -> str:
    """A case code no case has yet."""
    while True:
        code = new_case_code()
        if await session.scalar(select(func.count()).where(Case.code == code)) == 0:
            return code


class Registration(CaseSeam):
    """One case registered by an officer in chat."""

    async def register(
        self, telegram_user_id: int, draft: CaseDraft, bot_username: str
    ) -> IssuedLink:
        """Register one case in the officer's commune and issue its enrolment link."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await commune_officer(session, telegram_user_id)
            assert officer.commune_code is not None
            commune = await commune_view(session, officer.commune_code)
            existing = await _open_duplicate(session, commune.code, draft.phone, draft.full_name)
            if existing is not None:
                raise UserError("cases.duplicate", code=existing.code)
            source_id = await _source_id(session, draft.source_code, officer)
            case = await new_case(
                session, self._settings, draft, commune, source_id, officer.id, now, self.today()
            )
            record_registration(session, case, audit.officer_actor(officer.id), now)
            code = new_enrolment_code(case, now, self._ttl())
            await end_dialogue(session, telegram_user_id)
            return IssuedLink(
                await case_view(session, case, self.today(), now, self._cases.enrol_deadline_hours),
                await enrolment_link(
                    session, case, code, bot_username, now, zalo_oa_id=self._settings.zalo.oa_id
                ),
                case.enrolment_expires_at or now,
                case.channel,
            )

    async def source_case(self, telegram_user_id: int, code: str) -> CaseView:
        """A case the caller may name as the source of an F1 (must be visible to them)."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await visible_case(session, officer, code)
            return await self._view(session, case)


async def new_case(
    session: AsyncSession,
    settings: Settings,
    draft: CaseDraft,
    commune: CommuneView,
    source_id: int | None,
    officer_id: int | None,
    now: datetime,
    today: date,
) -> Case:
    """A pending case from a checked draft, its dates and home zone filled in."""
    cases = settings.cases
    start = draft.start_date or today
    end = draft.end_date or start + timedelta(days=cases.days_for(draft.kind))
    zone = None
    if draft.home is not None:
        try:
            zone = make_circle(*draft.home, cases.home_radius_m, settings.geofence).to_dict()
        except ZoneError as error:
            raise FieldError(f"cases.zone.{error.code.removeprefix('zone.')}") from None
    case = Case(
        code=await unique_code(session),
        full_name=draft.full_name,
        phone=draft.phone,
        birth_year=draft.birth_year,
        address=draft.address,
        commune_code=commune.code,
        province_code=commune.province_code,
        kind=draft.kind,
        channel=draft.channel,
        source_case_id=source_id,
        start_date=start,
        end_date=end,
        status=PENDING,
        language=settings.deployment.language,
        zone=zone,
        home_status=HOME_SET if zone else HOME_NOT_SET,
        created_by=officer_id,
        created_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    return case


def record_registration(session: AsyncSession, case: Case, actor: str, now: datetime) -> None:
    """The audit entry of one registered case."""
    audit.record(
        session,
        at=now,
        actor=actor,
        action="case.register",
        subject_type="case",
        subject_id=case.id,
        commune=case.commune_code,
        kind=case.kind,
        start=case.start_date.isoformat(),
        end=case.end_date.isoformat(),
        home=case.zone is not None,
    )


async def _open_duplicate(
    session: AsyncSession, commune_code: int, phone: str, name: str
) -> Case | None:
    """An open case of the commune with the same phone and name.

    A household may share one phone, so the phone alone does not make a duplicate.
    """
    rows = await session.scalars(
        select(Case).where(
            Case.commune_code == commune_code,
            Case.phone == phone,
            Case.status.in_(OPEN_STATUSES),
        )
    )
    return next((case for case in rows if fold(case.full_name) == fold(name)), None)


async def _source_id(session: AsyncSession, code: str | None, officer: Officer) -> int | None:
    if not code:
        return None
    return (await visible_case(session, officer, code)).id
