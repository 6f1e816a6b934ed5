"""Export: the cases, or every check-in of them, as XLSX and CSV in Vietnamese."""

from __future__ import annotations

import re
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, policy
from bot.alerts import number
from bot.areas import commune_view
from bot.case_files import FIELDS, VI_HEADERS, display_phone, write_csv, write_xlsx
from bot.cases.base import CaseSeam
from bot.cases.queries import scope
from bot.cases.values import OPEN_STATUSES, ExportFiles, isolation_day
from bot.catalogue import plain
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


class Export(CaseSeam):
    """Spreadsheets of the caller's cases (commune or province)."""

    async def export_checkins(self, telegram_user_id: int) -> ExportFiles:
        """Every check-in of the caller's cases (commune or province), oldest first.

        Answers are written as the person saw them (the check-in catalogue's Vietnamese
        labels), one column per measurement, numbers the Vietnamese way.
        """
        today = self.today()
        tz = self._settings.schedule.tz
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            statement = scope(
                select(Case.code, Case.full_name, Checkin).join(
                    Checkin, Checkin.case_id == Case.id
                ),
                officer,
            ).order_by(Case.code, Checkin.nominal_at)
            rows = (await session.execute(statement)).all()
            fixes = await checkin_fixes(session, [checkin.id for _, _, checkin in rows])
        table = [
            checkin_row(code, name, checkin, fixes.get(checkin.id), tz)
            for code, name, checkin in rows
        ]
        headers = CHECKIN_HEADERS
        basename = f"cachly-khai-bao-{today.isoformat()}"
        return ExportFiles(
            basename, write_xlsx(headers, table), write_csv(headers, table), len(rows)
        )

    async def export(self, telegram_user_id: int, include_closed: bool = True) -> ExportFiles:
        """The commune's (a supervisor: the province's) cases with the import's columns."""
        now, today = self._clock.now(), self.today()
        tz = self._settings.schedule.tz
        async with self._db.transaction() as session:
            officer = await require_officer(session, telegram_user_id)
            statement = scope(select(Case, Commune.name).join(Commune), officer).order_by(
                Case.commune_code, Case.id
            )
            if not include_closed:
                statement = statement.where(Case.status.in_(OPEN_STATUSES))
            rows = (await session.execute(statement)).all()
            sources = await _codes_of(session, {c.source_case_id for c, _ in rows})
            answered = await _last_answers(session, [c.id for c, _ in rows])
            area = await _area_name(session, officer)
            audit.record(
                session,
                at=now,
                actor=audit.officer_actor(officer.id),
                action="case.export",
                subject_type="officer",
                subject_id=officer.id,
                rows=len(rows),
            )
        headers = [VI_HEADERS[f] for f in FIELDS] + list(EXPORT_EXTRA_HEADERS)
        table = [
            _case_row(case, commune_name, sources, answered.get(case.id), today, tz)
            for case, commune_name in rows
        ]
        basename = f"cachly-{fold(area).replace(' ', '-')}-{today.isoformat()}"
        return ExportFiles(
            basename, write_xlsx(headers, table), write_csv(headers, table), len(rows)
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
