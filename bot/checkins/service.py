"""`CheckinService`: the one entry point handlers and jobs call, composed of the seams."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.checkins.locations import Locations
from bot.checkins.questionnaire import Questionnaire
from bot.checkins.rounds import Rounds
from bot.checkins.sos import Sos
from bot.checkins.times import CheckinTimes
from bot.checkins.values import (
    CheckinView,
    LocationInput,
    LocationResult,
    SosResult,
    StartResult,
    StepResult,
    TickReport,
    TimesPreview,
    view,
)
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.models import Checkin


class CheckinService:
    """Schedules, prompts, records and judges check-ins; raises their alerts."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self.rounds = Rounds(db, clock, settings)
        self.questionnaire = Questionnaire(db, clock, settings)
        self.locations = Locations(db, clock, settings)
        self.alarms = Sos(db, clock, settings)
        self.times = CheckinTimes(db, clock, settings)

    # -- the rounds -------------------------------------------------------------------

    async def tick(self) -> TickReport:
        """Everything the scheduler does each tick, in bounded units of work."""
        return await self.rounds.tick()

    async def plan(self) -> int:
        """Write the occurrences of active cases for the horizon; returns rows written."""
        return await self.rounds.plan()

    async def send_due(self) -> tuple[int, int]:
        """Queue the prompts that are due; returns (prompted, cancelled)."""
        return await self.rounds.send_due()

    # -- the person's side ------------------------------------------------------------

    async def start(self, chat_id: int, user_id: int, case_id: int | None = None) -> StartResult:
        """/checkin: resume the open check-in, answer the next round early, or a new one."""
        return await self.questionnaire.start(chat_id, user_id, case_id)

    async def answer_button(
        self, chat_id: int, user_id: int, checkin_id: int, action: str, value: str
    ) -> StepResult:
        """A button of a check-in: how they feel, a symptom, or skipping a measurement."""
        return await self.questionnaire.answer_button(chat_id, user_id, checkin_id, action, value)

    async def answer_text(self, chat_id: int, user_id: int, text: str) -> StepResult:
        """A typed answer of the check-in the user is in: a number, or a button's label."""
        return await self.questionnaire.answer_text(chat_id, user_id, text)

    async def location(self, message: LocationInput) -> LocationResult:
        """A location message or live-location edit: evidence rules, verdict, alert, record."""
        return await self.locations.location(message)

    async def location_for(self, chat_id: int, user_id: int, case_id: int) -> LocationResult:
        """The name pressed for a location shared in a household's chat: judge it for them."""
        return await self.locations.location_for(chat_id, user_id, case_id)

    async def sos(self, chat_id: int, case_id: int | None = None) -> SosResult:
        """/sos: raise the most urgent alert at once; a household then says who needs help."""
        return await self.alarms.sos(chat_id, case_id)

    # -- officers ---------------------------------------------------------------------

    async def times_preview(
        self, officer_telegram_id: int, code: str, times: Sequence[str]
    ) -> TimesPreview:
        """/times <code> HH:MM ...: what would change, for the officer to confirm."""
        return await self.times.times_preview(officer_telegram_id, code, times)

    async def set_times(
        self, officer_telegram_id: int, case_id: int, times: Sequence[str]
    ) -> tuple[str, ...]:
        """An officer gives one case its own check-in times (local "HH:MM"); empty resets."""
        return await self.times.set_times(officer_telegram_id, case_id, times)

    # -- reading ----------------------------------------------------------------------

    async def checkins_of(self, case_id: int) -> list[CheckinView]:
        """A case's check-ins, oldest first."""
        async with self._db.transaction() as session:
            rows = await session.scalars(
                select(Checkin).where(Checkin.case_id == case_id).order_by(Checkin.due_at)
            )
            return [view(row) for row in rows]
