"""Report rows as the other report modules read them: the card, its alert, references, counts."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.areas import CommuneView, commune_view
from bot.errors import UserError
from bot.models import Alert, CitizenReport, Commune, Officer, Province
from bot.reports.values import (
    ABUSE,
    CONFIRMED,
    OPEN_STATES,
    AttachmentKind,
    Outcome,
    ReportCard,
    ReportCounts,
    ReportState,
)

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: the reference is read out over the phone.
_REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
_REFERENCE_LENGTH = 6


async def load_card(session: AsyncSession, report: CitizenReport) -> ReportCard:
    """The report as an officer sees it, with the name of whoever handles it."""
    commune = await commune_view(session, report.commune_code)
    handler_id = report.closed_by if report.state == ReportState.CLOSED else report.acknowledged_by
    handler = await session.get(Officer, handler_id) if handler_id is not None else None
    location = report.location
    return ReportCard(
        id=report.id,
        reference=report.reference,
        commune_code=report.commune_code,
        commune_name=commune.name,
        text=report.text,
        created_at=report.created_at,
        times_reported=report.times_reported,
        photo_file_id=report.photo_file_id,
        photo_kind=AttachmentKind(report.photo_kind) if report.photo_kind else None,
        location=(float(location["lat"]), float(location["lon"])) if location else None,
        matched_cases=tuple(report.matched_cases or ()),
        state=ReportState(report.state),
        outcome=Outcome(report.outcome) if report.outcome else None,
        handled_by=handler.display_name if handler is not None else None,
    )


async def report_alert(session: AsyncSession, report: CitizenReport) -> Alert | None:
    """The `citizen_report` alert raised for the report, if any."""
    return await session.get(Alert, report.alert_id) if report.alert_id is not None else None


def close_alert(
    alert: Alert, state: str, officer_id: int, now: datetime, note: dict[str, Any]
) -> None:
    """Close a report's alert, noting why in its evidence."""
    # The alerts module has no closing function for other modules yet; this mirrors its
    # fields (state, who and when, and the open key freed) until it does.
    alert.state = state
    alert.closed_at = now
    alert.closed_by = officer_id
    alert.open_key = None
    alert.updated_at = now
    alert.evidence = [*alert.evidence, {"at": now.isoformat(), **note}]


def require_open(report: CitizenReport) -> None:
    """Refuse to act on a report that is already closed."""
    if report.state not in OPEN_STATES:
        raise UserError("report.already_closed", reference=report.reference)


async def served_commune(
    session: AsyncSession, code: int, provinces: tuple[int, ...]
) -> CommuneView | None:
    """The commune, if this deployment serves its province."""
    commune = await session.get(Commune, code)
    if commune is None or commune.province_code not in provinces:
        return None
    return await commune_view(session, code)


async def province_name(session: AsyncSession, code: int) -> str:
    """The province's name, or an empty one if it is not known."""
    return str(await session.scalar(select(Province.name).where(Province.code == code)) or "")


async def new_reference(session: AsyncSession) -> str:
    """A short reference no report has yet, easy to read out."""
    while True:
        reference = "R" + "".join(
            secrets.choice(_REFERENCE_ALPHABET) for _ in range(_REFERENCE_LENGTH)
        )
        taken = await session.scalar(
            select(CitizenReport.id).where(CitizenReport.reference == reference)
        )
        if taken is None:
            return reference


async def report_counts(
    session: AsyncSession, commune_code: int, day_start: datetime, day_end: datetime
) -> ReportCounts:
    """Reports a commune received, and handled (confirmed, abuse), in [day_start, day_end)."""
    primary = (CitizenReport.commune_code == commune_code, CitizenReport.merged_into_id.is_(None))

    async def count(*conditions: Any) -> int:
        return int(
            await session.scalar(select(func.count(CitizenReport.id)).where(*primary, *conditions))
            or 0
        )

    closed = (CitizenReport.closed_at >= day_start, CitizenReport.closed_at < day_end)
    return ReportCounts(
        received=await count(
            CitizenReport.created_at >= day_start, CitizenReport.created_at < day_end
        ),
        handled=await count(*closed),
        confirmed=await count(*closed, CitizenReport.outcome == CONFIRMED),
        abuse=await count(*closed, CitizenReport.outcome == ABUSE),
    )
