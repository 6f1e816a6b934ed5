"""/sos: the most urgent alert, raised at once."""

from __future__ import annotations

from typing import Any

from bot import alerts
from bot.checkins.chats import chat_cases, chat_language
from bot.checkins.values import PersonChoice, SosResult, SosStatus
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.errors import NotAuthorised


class Sos:
    """Raises SOS alerts for the people of a chat."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._alerts = alerts.AlertConfig.from_settings(settings)

    async def sos(self, chat_id: int, case_id: int | None = None) -> SosResult:
        """/sos: raise the most urgent alert at once; a household then says who needs help.

        Several people on one phone: nobody can know yet who pressed it, so every active case
        of the chat gets its SOS alert at once (each card names its person, home and phone,
        so the station can call right away); the name pressed afterwards is added to that
        person's alert. Waiting for the name first could delay help behind a button.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            cases = await chat_cases(session, chat_id)
            language = await chat_language(session, chat_id, cases)
            if not cases:
                return SosResult(SosStatus.NOT_A_CASE, language)
            if case_id is not None:
                case = next((c for c in cases if c.id == case_id), None)
                if case is None:
                    raise NotAuthorised()
                await alerts.raise_alert(
                    self._alerts,
                    session,
                    kind=alerts.SOS,
                    commune_code=case.commune_code,
                    now=now,
                    evidence={"source": "sos_named"},
                    case_id=case.id,
                )
                return SosResult(SosStatus.NAMED, language, name=case.full_name)
            household = len(cases) > 1
            for case in cases:
                evidence: dict[str, Any] = {"source": "sos_command"}
                if household:
                    evidence["household"] = len(cases)
                await alerts.raise_alert(
                    self._alerts,
                    session,
                    kind=alerts.SOS,
                    commune_code=case.commune_code,
                    now=now,
                    evidence=evidence,
                    case_id=case.id,
                )
            if household:
                choices = tuple(PersonChoice(c.id, c.full_name) for c in cases)
                return SosResult(SosStatus.CHOOSE, language, choices=choices)
            return SosResult(SosStatus.RAISED, language, name=cases[0].full_name)
