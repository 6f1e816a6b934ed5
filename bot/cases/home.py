"""Home anchoring: the person sends a pin from home, an officer accepts or rejects it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.cases.base import CaseSeam
from bot.cases.display import send_home_pin, tell_person
from bot.cases.queries import may_see
from bot.cases.values import ACTIVE, HOME_FLOW, HOME_NOT_SET, HOME_PROPOSED, HOME_SET, CaseView
from bot.dialogues import DialogueState, end_dialogue, save_dialogue
from bot.errors import NotAuthorised, UserError
from bot.models import Case
from bot.officers import require_officer
from bot.routing import served
from geofence import Fix, ZoneError, check_evidence, make_circle


async def ask_for_home(
    session: AsyncSession, telegram_user_id: int, chat_id: int, now: datetime
) -> None:
    """The person's next location message is taken as their home pin."""
    await save_dialogue(
        session, DialogueState(telegram_user_id, chat_id, HOME_FLOW, "pin", {}), now
    )


class HomeAnchoring(CaseSeam):
    """The person's home pin and the officer's decision on it."""

    async def propose_home(
        self,
        telegram_user_id: int,
        chat_id: int,
        fix: Fix,
        *,
        forwarded: bool,
        is_venue: bool,
        message_date: datetime,
    ) -> list[str]:
        """A person sent their location at home: the officers are asked to confirm it.

        Every case of the chat still without a home takes the same pin (a household).
        Returns the names of those cases.
        """
        now = self._clock.now()
        rejection = check_evidence(
            fix,
            forwarded=forwarded,
            is_venue=is_venue,
            message_date=message_date,
            now=now,
            settings=self._geo(),
        )
        if rejection is not None:
            raise UserError(f"home.rejected.{rejection.reason.value}")
        async with self._db.transaction() as session:
            cases = list(
                await session.scalars(
                    select(Case)
                    .where(
                        Case.chat_id == chat_id,
                        Case.status == ACTIVE,
                        served(session, Case.province_code),
                        Case.home_status != HOME_SET,
                    )
                    .order_by(Case.id)
                )
            )
            if not cases:
                await end_dialogue(session, telegram_user_id)
                raise UserError("home.nothing_to_set")
            for case in cases:
                case.proposed_home = {"lat": fix.lat, "lon": fix.lon, "accuracy_m": fix.accuracy_m}
                case.home_status = HOME_PROPOSED
                case.updated_at = now
                audit.record(
                    session,
                    at=now,
                    actor=f"person:{telegram_user_id}",
                    action="case.home_proposed",
                    subject_type="case",
                    subject_id=case.id,
                )
                await send_home_pin(session, case, now)
            await end_dialogue(session, telegram_user_id)
            return [case.full_name for case in cases]

    async def decide_home(self, telegram_user_id: int, case_id: int, accept: bool) -> CaseView:
        """An officer accepts the pin (the zone is built from it) or rejects it (asked again)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await session.get(Case, case_id)
            if case is None or not may_see(officer, case):
                raise NotAuthorised()
            if case.home_status != HOME_PROPOSED or case.proposed_home is None:
                raise UserError("home.already_decided", code=case.code)
            key = self._anchor(case) if accept else self._unanchor(case)
            case.proposed_home = None
            case.updated_at = now
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.home_set" if accept else "case.home_rejected",
                subject_type="case",
                subject_id=case.id,
            )
            if case.chat_id is not None and case.status == ACTIVE:
                if not accept and case.telegram_user_id is not None:
                    await ask_for_home(session, case.telegram_user_id, case.chat_id, now)
                await tell_person(
                    session,
                    case,
                    key,
                    now,
                    ask_location=not accept,
                    name=case.full_name,
                )
            return await self._view(session, case)

    def _anchor(self, case: Case) -> str:
        """Build the zone around the proposed pin; returns the person's notice."""
        home = case.proposed_home or {}
        try:
            zone = make_circle(home["lat"], home["lon"], self._cases.home_radius_m, self._geo())
        except ZoneError as error:
            raise UserError(f"cases.zone.{error.code.removeprefix('zone.')}") from None
        case.zone = zone.to_dict()
        case.home_status = HOME_SET
        return "home.person_accepted"

    @staticmethod
    def _unanchor(case: Case) -> str:
        """The pin is refused: the home is unset again; returns the person's notice."""
        case.home_status = HOME_NOT_SET
        return "home.person_rejected"
