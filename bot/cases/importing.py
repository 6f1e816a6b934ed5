"""Import: many cases from a CSV or XLSX file, checked whole before anything is written."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.areas import CommuneView, commune_view, resolve_commune
from bot.case_files import (
    CaseDraft,
    Problem,
    RowProblem,
    Table,
    draft_from_row,
    normalise_code,
    read_table,
)
from bot.cases.base import CaseSeam
from bot.cases.enrolment import enrolment_link, new_enrolment_code
from bot.cases.queries import commune_officer, scope
from bot.cases.registration import new_case
from bot.cases.values import OPEN_STATUSES, ImportOutcome, IssuedLink
from bot.cases.views import case_view
from bot.dialogues import end_dialogue
from bot.errors import UserError
from bot.models import Case, Officer
from bot.text import fold
from geofence import ZoneError, make_circle

# Told (rows checked, rows in the file) as the check goes; it decides how often to show it.
# (rows checked, rows in all), awaited every PROGRESS_EVERY rows and at the end.
Progress = Callable[[int, int], Awaitable[None]]
PROGRESS_EVERY = 100

# An open case's (phone, folded name) -> its code: the same person twice is a duplicate.
Known = dict[tuple[str, str], str]
Valid = list[tuple[CaseDraft, int | None]]


class CaseImport(CaseSeam):
    """Cases imported from a file, by an officer in chat or from the command line."""

    async def import_file(
        self,
        filename: str,
        content: bytes,
        *,
        bot_username: str | Mapping[int, str],
        skip_invalid: bool = False,
        telegram_user_id: int | None = None,
        commune: str | None = None,
        progress: Progress | None = None,
    ) -> ImportOutcome:
        """Validate a whole file; import it only if it is clean or the caller skips bad rows.

        An officer imports into their commune (`telegram_user_id`); the command line names
        the commune. Nothing is written when rows are bad and `skip_invalid` is false.
        """
        table = read_table(
            filename,
            content,
            max_bytes=self._cases.import_max_bytes,
            max_rows=self._cases.import_max_rows,
        )
        now, today = self._clock.now(), self.today()
        async with self._db.transaction() as session:
            officer, target, actor = await self._target(session, telegram_user_id, commune)
            known = await _open_cases(session, target)
            sources = await _source_ids(session, table, officer, target)
            problems, valid = await self._check_rows(table, known, sources, today, progress)
            outcome = ImportOutcome(len(table.rows), len(valid), tuple(problems), (), target.name)
            if (problems and not skip_invalid) or not valid:
                return outcome
            created = [
                await self._create(session, draft, source_id, target, officer, bot_username)
                for draft, source_id in valid
            ]
            audit.record(
                session,
                at=now,
                actor=actor,
                action="case.import",
                subject_type="commune",
                subject_id=target.code,
                rows=len(table.rows),
                imported=len(created),
                skipped=len(problems),
                cases=[link.case.id for link in created],
            )
            if telegram_user_id is not None:
                await end_dialogue(session, telegram_user_id)
            return ImportOutcome(
                len(table.rows), len(valid), tuple(problems), tuple(created), target.name
            )

    async def _target(
        self, session: AsyncSession, telegram_user_id: int | None, commune: str | None
    ) -> tuple[Officer | None, CommuneView, str]:
        """(the importing officer, the commune imported into, the audit actor)."""
        if telegram_user_id is not None:
            officer = await commune_officer(session, telegram_user_id)
            assert officer.commune_code is not None
            target = await commune_view(session, officer.commune_code)
            return officer, target, audit.officer_actor(officer.id)
        found = await resolve_commune(session, commune or "", self._provinces)
        if found is None:
            raise UserError("admin.unknown_commune", query=commune or "")
        return None, found, audit.CLI

    async def _check_rows(
        self,
        table: Table,
        known: Known,
        sources: dict[str, int],
        today: date,
        progress: Progress | None = None,
    ) -> tuple[list[RowProblem], Valid]:
        """Each row's problems, and the drafts (with their source case) that have none."""
        seen: dict[tuple[str, str], int] = {}
        problems: list[RowProblem] = []
        valid: Valid = []
        total = len(table.rows)
        for checked, (number, values) in enumerate(table.rows, 1):
            if progress is not None and (checked % PROGRESS_EVERY == 0 or checked == total):
                # Awaited: the chat's progress message is edited while a big file is checked.
                await progress(checked, total)
            result = draft_from_row(values, today)
            if isinstance(result, tuple):
                problems.append(RowProblem(number, result))
                continue
            issues = list(_date_problems(result, today, self._cases.days_for(result.kind)))
            key = (result.phone, fold(result.full_name))
            if key in known:
                issues.append(Problem("cases.problem.duplicate", (("code", known[key]),)))
            elif key in seen:
                issues.append(Problem("cases.problem.repeated", (("row", seen[key]),)))
            issues.extend(self._zone_problems(result))
            source_id = None
            if result.source_code:
                source_id = sources.get(result.source_code)
                if source_id is None:
                    issues.append(
                        Problem("cases.problem.no_source", (("code", result.source_code),))
                    )
            seen.setdefault(key, number)
            if issues:
                problems.append(RowProblem(number, tuple(issues)))
            else:
                valid.append((result, source_id))
        return problems, valid

    def _zone_problems(self, draft: CaseDraft) -> list[Problem]:
        if draft.home is None:
            return []
        try:
            make_circle(*draft.home, self._cases.home_radius_m, self._geo())
        except ZoneError as error:
            return [Problem(f"cases.zone.{error.code.removeprefix('zone.')}")]
        return []

    async def _create(
        self,
        session: AsyncSession,
        draft: CaseDraft,
        source_id: int | None,
        target: CommuneView,
        officer: Officer | None,
        bot_username: str | Mapping[int, str],
    ) -> IssuedLink:
        """One imported case with its link (the import's audit entry covers them all)."""
        now, today = self._clock.now(), self.today()
        case = await new_case(
            session,
            self._settings,
            draft,
            target,
            source_id,
            officer.id if officer else None,
            now,
            today,
        )
        code = new_enrolment_code(case, now, self._ttl())
        view = await case_view(session, case, today, now, self._cases.enrol_deadline_hours)
        # From the command line, a file may span provinces: each link names its province's bot.
        username = (
            bot_username if isinstance(bot_username, str) else bot_username[case.province_code]
        )
        link = await enrolment_link(
            session, case, code, username, now, zalo_oa_id=self._settings.zalo.oa_id
        )
        return IssuedLink(view, link, case.enrolment_expires_at or now, case.channel)


async def _open_cases(session: AsyncSession, target: CommuneView) -> Known:
    open_cases = (
        await session.execute(
            select(Case.phone, Case.full_name, Case.code).where(
                Case.commune_code == target.code, Case.status.in_(OPEN_STATUSES)
            )
        )
    ).all()
    return {(phone, fold(name)): code for phone, name, code in open_cases}


async def _source_ids(
    session: AsyncSession, table: Table, officer: Officer | None, target: CommuneView
) -> dict[str, int]:
    """The cases the file names as sources, by code, among those the importer may see."""
    codes = {
        normalise_code(values["source_code"])
        for _, values in table.rows
        if values.get("source_code")
    }
    if not codes:
        return {}
    statement = select(Case.code, Case.id).where(Case.code.in_(codes))
    statement = (
        scope(statement, officer)
        if officer is not None
        else statement.where(Case.province_code == target.province_code)
    )
    return {code: case_id for code, case_id in (await session.execute(statement)).all()}


def _date_problems(draft: CaseDraft, today: date, default_days: int) -> list[Problem]:
    start = draft.start_date or today
    end = draft.end_date or start + timedelta(days=default_days)
    problems = []
    if end <= today:
        problems.append(Problem("cases.problem.ended", (("end", end.strftime("%d/%m/%Y")),)))
    if start > today + timedelta(days=30):
        problems.append(Problem("cases.problem.far_start"))
    return problems
