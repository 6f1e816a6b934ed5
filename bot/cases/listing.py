"""What officers look up: their cases, and one case with its latest check-in and location."""

from __future__ import annotations

from sqlalchemy import select

from bot.cases.base import CaseSeam
from bot.cases.queries import scope, visible_case
from bot.cases.values import OPEN_STATUSES, CaseView
from bot.cases.views import case_view
from bot.models import Case
from bot.officers import require_officer


class Listing(CaseSeam):
    """The officer's list of cases and the card of one."""

    async def list_cases(
        self, telegram_user_id: int, include_closed: bool = False
    ) -> list[CaseView]:
        """The caller's commune's cases (a supervisor: the province's), open ones by default."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            statement = scope(select(Case), officer).order_by(Case.status, Case.end_date, Case.id)
            if not include_closed:
                statement = statement.where(Case.status.in_(OPEN_STATUSES))
            return await self._views(session, list(await session.scalars(statement)))

    async def case(self, telegram_user_id: int, code: str) -> CaseView:
        """One case the caller may see, by its code."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await visible_case(session, officer, code)
            return await case_view(
                session,
                case,
                self.today(),
                self._clock.now(),
                self._cases.enrol_deadline_hours,
                latest=True,
            )
