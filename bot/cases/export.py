"""Export: the cases, and every check-in of them, as one XLSX workbook and CSV, in Vietnamese."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, policy
from bot.access import EXPORT
from bot.alerts import number
from bot.areas import commune_view
from bot.case_files import FIELDS, VI_HEADERS, display_phone, write_csv, write_workbook, write_xlsx
from bot.cases.base import CaseSeam
from bot.cases.queries import scope
from bot.cases.values import OPEN_STATUSES, ExportFiles, isolation_day
from bot.catalogue import plain, t
from bot.messaging.message import Document
from bot.messaging.outbox import PRIORITY_REPLY, enqueue
from bot.models import Case, Checkin, Commune, LocationFix, Officer
from bot.officers import require_officer
from bot.text import fold

EXPORT_EXTRA_HEADERS = (
    "Mã ca",
    "Xã/Phường",
    "Trạng thái",
    "Ngày cách ly",
    "Nơi cách ly",
    "Khai báo gần nhất",
)

# The measurements a check-in asks for, in the order of the export's columns.
CHECKIN_VITALS = ("temperature", "spo2", "spo2_again", "breaths", "pulse")
CHECKIN_HEADERS = (
    "Mã ca",
    "Họ và tên",
    "Giờ khai báo",
    "Trả lời lúc",
    "Kết quả",
    "Cảm thấy",
    "Triệu chứng",
    "Dấu hiệu nguy hiểm",
    "Nhiệt độ (°C)",
    "SpO2 (%)",
    "SpO2 đo lại (%)",
    "Nhịp thở (lần/phút)",
    "Mạch (lần/phút)",
    "Vị trí",
    "Cách nhà (m)",
)


# The workbook's sheets, as an officer opening it in Excel reads their tabs.
CASES_SHEET = "Danh sách ca"
CHECKINS_SHEET = "Khai báo"


@dataclass(frozen=True)
class _Table:
    """One sheet (and one CSV) of an export."""

    basename: str
    headers: Sequence[str]
    rows: list[list[object]]


class Export(CaseSeam):
    """Spreadsheets of the caller's cases (commune or province)."""

    async def export_checkins(self, telegram_user_id: int) -> ExportFiles:
        """Every check-in of the caller's cases (commune or province), oldest first."""
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            table = await self._checkins_table(session, officer)
        return _files(table)

    async def export(self, telegram_user_id: int, include_closed: bool = True) -> ExportFiles:
        """The commune's (a supervisor: the province's) cases with the import's columns."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            table = await self._cases_table(session, officer, include_closed)
            _audit(session, officer, now, cases=len(table.rows))
        return _files(table)

    async def send_export(
        self, telegram_user_id: int, chat_id: int, language: str, with_checkins: bool
    ) -> int:
        """Queue the export to the caller's chat: how many cases it holds (0: nothing sent).

        One workbook (the cases; with the check-ins, a second sheet) and the same as CSV
        (with the check-ins, both CSVs in one zip): two files, sent by the outbox, which
        paces them like everything else to one chat, so that no burst draws a 429. Queued,
        they are withheld like any message if the officer's access ends before they go.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            cases = await self._cases_table(session, officer, include_closed=True)
            if not cases.rows:
                return 0
            checkins = await self._checkins_table(session, officer) if with_checkins else None
            _audit(
                session,
                officer,
                now,
                cases=len(cases.rows),
                checkins=None if checkins is None else len(checkins.rows),
            )
            for document in _documents(language, cases, checkins):
                enqueue(
                    session,
                    chat_id=chat_id,
                    province=officer.province_code,
                    content=document,
                    priority=PRIORITY_REPLY,
                    purpose=EXPORT,
                    now=now,
                )
        return len(cases.rows)

    async def _cases_table(
        self, session: AsyncSession, officer: Officer, include_closed: bool
    ) -> _Table:
        today = self.today()
        tz = self._settings.schedule.tz
        statement = scope(select(Case, Commune.name).join(Commune), officer).order_by(
            Case.commune_code, Case.id
        )
        if not include_closed:
            statement = statement.where(Case.status.in_(OPEN_STATUSES))
        rows = (await session.execute(statement)).all()
        sources = await _codes_of(session, {c.source_case_id for c, _ in rows})
        answered = await _last_answers(session, [c.id for c, _ in rows])
        area = await _area_name(session, officer)
        headers = [VI_HEADERS[f] for f in FIELDS] + list(EXPORT_EXTRA_HEADERS)
        table = [
            _case_row(case, commune_name, sources, answered.get(case.id), today, tz)
            for case, commune_name in rows
        ]
        return _Table(f"cachly-{fold(area).replace(' ', '-')}-{today.isoformat()}", headers, table)

    async def _checkins_table(self, session: AsyncSession, officer: Officer) -> _Table:
        """Answers as the person saw them (the check-in catalogue's Vietnamese labels), one
        column per measurement, numbers the Vietnamese way, oldest first."""
        tz = self._settings.schedule.tz
        statement = scope(
            select(Case.code, Case.full_name, Checkin).join(Checkin, Checkin.case_id == Case.id),
            officer,
        ).order_by(Case.code, Checkin.nominal_at)
        rows = (await session.execute(statement)).all()
        fixes = await checkin_fixes(session, [checkin.id for _, _, checkin in rows])
        table = [
            checkin_row(code, name, checkin, fixes.get(checkin.id), tz)
            for code, name, checkin in rows
        ]
        return _Table(f"cachly-khai-bao-{self.today().isoformat()}", CHECKIN_HEADERS, table)


def _files(table: _Table) -> ExportFiles:
    return ExportFiles(
        table.basename,
        write_xlsx(table.headers, table.rows),
        write_csv(table.headers, table.rows),
        len(table.rows),
    )


def _documents(language: str, cases: _Table, checkins: _Table | None) -> list[Document]:
    """The workbook (with its caption), then the CSV or, with the check-ins, the CSVs' zip."""
    count = number(language, len(cases.rows))
    if checkins is None:
        caption = t(language, "export.caption", count=count) + "\n" + t(language, "export.hint")
        workbook = write_workbook([(CASES_SHEET, cases.headers, cases.rows)])
        return [
            Document(f"{cases.basename}.xlsx", caption, workbook),
            Document(f"{cases.basename}.csv", "", write_csv(cases.headers, cases.rows)),
        ]
    caption = t(
        language,
        "export.checkins_caption",
        count=count,
        checkins=number(language, len(checkins.rows)),
        cases_sheet=CASES_SHEET,
        checkins_sheet=CHECKINS_SHEET,
    )
    workbook = write_workbook(
        [
            (CASES_SHEET, cases.headers, cases.rows),
            (CHECKINS_SHEET, checkins.headers, checkins.rows),
        ]
    )
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for table in (cases, checkins):
            zipped.writestr(f"{table.basename}.csv", write_csv(table.headers, table.rows))
    return [
        Document(f"{cases.basename}.xlsx", caption, workbook),
        Document(
            f"{cases.basename}-csv.zip", t(language, "export.zip_caption"), archive.getvalue()
        ),
    ]


def _audit(
    session: AsyncSession,
    officer: Officer,
    now: datetime,
    *,
    cases: int,
    checkins: int | None = None,
) -> None:
    details: dict[str, int] = {"rows": cases}
    if checkins is not None:
        details["checkins"] = checkins
    audit.record(
        session,
        at=now,
        actor=audit.officer_actor(officer.id),
        action="case.export",
        subject_type="officer",
        subject_id=officer.id,
        **details,
    )


def _local(moment: datetime | None, tz: tzinfo) -> str | None:
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M") if moment else None


def checkin_row(
    code: str, name: str, checkin: Checkin, fix: LocationFix | None, tz: tzinfo
) -> list[object]:
    """One check-in as the export's columns."""
    answers, vitals = checkin.answers or {}, checkin.vitals or {}
    feeling = answers.get("feeling")
    verdict: str | None
    if fix is not None:
        verdict = plain("vi", f"cases.verdict.{fix.verdict or 'none'}")
        distance = round(fix.distance_m) if fix.distance_m is not None else None
    else:
        skipped = answers.get("location") == "skipped"
        verdict = plain("vi", "checkin.location_skip") if skipped else None
        distance = None
    return [
        code,
        name,
        _local(checkin.nominal_at, tz),
        _local(checkin.answered_at, tz),
        plain("vi", f"cases.outcome.{checkin.outcome or 'none'}"),
        _label(f"checkin.feel.{feeling}") if feeling else None,
        ", ".join(_label(f"checkin.symptom.{s}") for s in answers.get("symptoms", [])),
        ", ".join(_label(f"checkin.sign.{s}") for s in checkin.danger_signs or []),
        *(number("vi", vitals[v]) if vitals.get(v) is not None else None for v in CHECKIN_VITALS),
        verdict,
        distance,
    ]


def _case_row(
    case: Case,
    commune_name: str,
    sources: dict[int, str],
    answered: datetime | None,
    today: date,
    tz: tzinfo,
) -> list[object]:
    """One case as the import's columns and the export's extra ones."""
    day, total = isolation_day(case.start_date, case.end_date, today)
    zone = case.zone or {}
    return [
        case.full_name,
        display_phone(case.phone),
        case.birth_year,
        case.address,
        case.kind.upper() if case.kind != "other" else "Khác",
        sources.get(case.source_case_id) if case.source_case_id else None,
        case.start_date.strftime("%d/%m/%Y"),
        case.end_date.strftime("%d/%m/%Y"),
        zone.get("lat"),
        zone.get("lon"),
        plain("vi", f"channel.{case.channel}"),
        case.code,
        commune_name,
        plain("vi", f"cases.status.{case.status}"),
        f"{day}/{total}" if case.status in OPEN_STATUSES else None,
        plain("vi", f"cases.home.{case.home_status}"),
        _local(answered, tz),
    ]


def _label(key: str) -> str:
    """A check-in answer's Vietnamese label without its emoji (a spreadsheet is not a chat)."""
    return re.sub(r"^\W+", "", plain("vi", key))


async def _area_name(session: AsyncSession, officer: Officer) -> str:
    """The commune's name for an officer, the province code for a supervisor."""
    if policy.is_commune_officer(officer) and officer.commune_code is not None:
        return (await commune_view(session, officer.commune_code)).name
    return str(officer.province_code)


async def _codes_of(session: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await session.execute(select(Case.id, Case.code).where(Case.id.in_(wanted)))
    return {case_id: code for case_id, code in rows.all()}


async def checkin_fixes(session: AsyncSession, ids: list[int]) -> dict[int, LocationFix]:
    """The latest location fix of each check-in, in chunks the database accepts."""
    found: dict[int, LocationFix] = {}
    for start in range(0, len(ids), 1000):
        fixes = await session.scalars(
            select(LocationFix)
            .where(LocationFix.checkin_id.in_(ids[start : start + 1000]))
            .order_by(LocationFix.taken_at, LocationFix.id)
        )
        # Later fixes overwrite earlier ones: the last verdict of the check-in counts.
        found.update({fix.checkin_id: fix for fix in fixes if fix.checkin_id is not None})
    return found


async def _last_answers(session: AsyncSession, ids: list[int]) -> dict[int, datetime]:
    """The latest answered check-in of each case, in chunks the database accepts."""
    found: dict[int, datetime] = {}
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(Checkin.case_id, func.max(Checkin.answered_at))
            .where(Checkin.case_id.in_(ids[start : start + 1000]))
            .group_by(Checkin.case_id)
        )
        found.update({case_id: at for case_id, at in rows.all() if at is not None})
    return found
