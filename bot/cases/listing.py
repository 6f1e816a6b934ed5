"""What officers look up: their cases, one case's card, and one case's check-in history."""

from __future__ import annotations

from sqlalchemy import select

from bot import audit
from bot.case_files import write_csv, write_xlsx
from bot.cases.base import CaseSeam
from bot.cases.export import CHECKIN_HEADERS, checkin_fixes, checkin_row
from bot.cases.queries import scope, visible_case
from bot.cases.values import OPEN_STATUSES, CaseHistory, CaseView, ExportFiles
from bot.cases.views import case_view
from bot.models import Case, Checkin
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

    async def case_checkins(self, telegram_user_id: int, code: str) -> CaseHistory:
        """Every check-in of one case the caller may see, oldest first, as the export's rows."""
        tz = self._settings.schedule.tz
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            case = await visible_case(session, officer, code)
            checkins = list(
                await session.scalars(
                    select(Checkin)
                    # Rounds planned for later are the schedule, not the history.
                    .where(Checkin.case_id == case.id, Checkin.due_at <= self._clock.now())
                    .order_by(Checkin.nominal_at)
                )
            )
            fixes = await checkin_fixes(session, [checkin.id for checkin in checkins])
            audit.record(
                session,
                at=self._clock.now(),
                actor=audit.officer_actor(officer.id),
                action="case.checkins_export",
                subject_type="case",
                subject_id=case.id,
                rows=len(checkins),
            )
            table = [
                checkin_row(case.code, case.full_name, c, fixes.get(c.id), tz) for c in checkins
            ]
        basename = f"cachly-khai-bao-{case.code}-{self.today().isoformat()}"
        files = ExportFiles(
            basename,
            write_xlsx(CHECKIN_HEADERS, table),
            write_csv(CHECKIN_HEADERS, table),
            len(table),
        )
        return CaseHistory(case.code, case.full_name, files)
