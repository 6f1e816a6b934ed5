"""The person's /status: day of isolation, end date, home, next check-in."""

from __future__ import annotations

from sqlalchemy import or_, select

from bot.cases.base import CaseSeam
from bot.cases.values import (
    ACTIVE,
    HOSPITALIZED,
    CaseStatus,
    HomeStatus,
    PersonStatus,
    isolation_day,
)
from bot.checkins import next_checkin_at
from bot.models import Case
from bot.routing import served


class PersonStatuses(CaseSeam):
    """What a person is told about their own cases."""

    async def person_status(self, telegram_user_id: int, chat_id: int) -> list[PersonStatus]:
        """The cases bound to this chat (a household may share it), still open ones."""
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as session:
            cases = list(
                await session.scalars(
                    select(Case)
                    .where(
                        or_(Case.chat_id == chat_id, Case.telegram_user_id == telegram_user_id),
                        served(session, Case.province_code),
                        Case.status.in_((ACTIVE, HOSPITALIZED)),
                    )
                    .order_by(Case.id)
                )
            )
            statuses = []
            for case in cases:
                day, total = isolation_day(case.start_date, case.end_date, today)
                statuses.append(
                    PersonStatus(
                        case.full_name,
                        CaseStatus(case.status),
                        day,
                        total,
                        case.end_date,
                        HomeStatus(case.home_status),
                        await next_checkin_at(session, case, now, self._settings),
                    )
                )
            return statuses
