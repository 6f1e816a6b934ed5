"""The person's /status: day of isolation, end date, home, next check-in."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.base import CaseSeam
from bot.cases.values import (
    ACTIVE,
    HOSPITALIZED,
    CaseStatus,
    HomeStatus,
    PersonStatus,
    isolation_day,
)
from bot.models import Case, Checkin


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
                        await self._next_checkin(session, case, now),
                    )
                )
            return statuses

    # TODO(lead): use the check-ins' next-check-in function (CheckinService.next_checkin_at);
    # this copy ignores `spread_minutes`.
    async def _next_checkin(
        self, session: AsyncSession, case: Case, now: datetime
    ) -> datetime | None:
        if case.status != ACTIVE:
            return None
        # The check-in service plans rounds ahead; spot checks stay secret.
        planned = await session.scalar(
            select(func.min(Checkin.due_at)).where(
                Checkin.case_id == case.id,
                Checkin.kind == "scheduled",
                Checkin.state == "scheduled",
                Checkin.due_at > now,
            )
        )
        if planned is not None:
            return planned
        # Not planned yet: the next nominal time of the case's rounds.
        times = case.checkin_times or list(self._settings.checkins.times_for(case.kind))
        tz = self._settings.schedule.tz
        local = now.astimezone(tz)
        for offset in range(3):
            day = local.date() + timedelta(days=offset)
            if day >= case.end_date:
                return None
            for value in sorted(times):
                moment = datetime.combine(day, time.fromisoformat(value), tz)
                if moment > local:
                    return moment
        return None
