"""Alerts: raising them (one open alert per case and kind) and queueing their delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.catalogue import t
from bot.models import Alert, Case, Commune, Officer
from bot.outbox import PRIORITY_ALERT, PRIORITY_URGENT, enqueue_text
from bot.preferences import language_of

SOS = "sos"
DANGER_SIGNS = "danger_signs"
OUT_OF_ZONE = "out_of_zone"
MISSED_CHECKIN = "missed_checkin"
UNREACHABLE = "unreachable"
CONSENT_REFUSED = "consent_refused"
HOME_NOT_SET = "home_not_set"
CITIZEN_REPORT = "citizen_report"

# Lower is more urgent; it orders /alerts and picks the outbox priority.
SEVERITY = {
    SOS: 0,
    DANGER_SIGNS: 1,
    OUT_OF_ZONE: 2,
    MISSED_CHECKIN: 3,
    UNREACHABLE: 3,
    CONSENT_REFUSED: 4,
    HOME_NOT_SET: 4,
    CITIZEN_REPORT: 4,
}
URGENT_KINDS = frozenset({SOS, DANGER_SIGNS})
OPEN_STATES = ("open", "acknowledged")


@dataclass(frozen=True)
class RaisedAlert:
    """The alert a piece of evidence went to, and whether it was opened just now."""

    id: int
    kind: str
    is_new: bool


async def raise_alert(
    session: AsyncSession,
    *,
    kind: str,
    commune_code: int,
    now: datetime,
    evidence: dict[str, Any],
    case_id: int | None = None,
) -> RaisedAlert:
    """Open an alert, or add the evidence to the open alert of the same case and kind.

    Runs inside the caller's unit of work, so the alert, its evidence and its outbox rows
    are written together with whatever caused them.
    """
    if kind not in SEVERITY:
        raise ValueError(f"unknown alert kind {kind}")
    entry = {"at": now.isoformat(), **evidence}
    open_key = f"case:{case_id}:{kind}" if case_id is not None else None
    alert = (
        await session.scalar(select(Alert).where(Alert.open_key == open_key))
        if open_key is not None
        else None
    )
    if alert is not None:
        alert.evidence = [*alert.evidence, entry]
        alert.updated_at = now
        await session.flush()
        return RaisedAlert(alert.id, kind, is_new=False)
    province_code = await session.scalar(
        select(Commune.province_code).where(Commune.code == commune_code)
    )
    if province_code is None:
        raise ValueError(f"unknown commune {commune_code}")
    alert = Alert(
        kind=kind,
        severity=SEVERITY[kind],
        case_id=case_id,
        commune_code=commune_code,
        province_code=province_code,
        state="open",
        open_key=open_key,
        evidence=[entry],
        opened_at=now,
        updated_at=now,
        escalation_level=0,
    )
    session.add(alert)
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=audit.SYSTEM,
        action="alert.open",
        subject_type="alert",
        subject_id=alert.id,
        kind=kind,
        case=case_id,
    )
    await _deliver(session, alert, now)
    return RaisedAlert(alert.id, kind, is_new=True)


async def commune_officers(session: AsyncSession, commune_code: int) -> list[Officer]:
    """The active officers of a commune."""
    rows = await session.scalars(
        select(Officer).where(
            Officer.commune_code == commune_code,
            Officer.role == "officer",
            Officer.revoked_at.is_(None),
        )
    )
    return list(rows)


async def _deliver(session: AsyncSession, alert: Alert, now: datetime) -> None:
    """Queue one copy of a new alert for every officer of its commune."""
    case = await session.get(Case, alert.case_id) if alert.case_id is not None else None
    priority = PRIORITY_URGENT if alert.kind in URGENT_KINDS else PRIORITY_ALERT
    for officer in await commune_officers(session, alert.commune_code):
        language = await language_of(session, officer.telegram_user_id)
        text = t(
            language,
            f"alert.kind.{alert.kind}",
            name=case.full_name if case else "",
            code=case.code if case else "",
        )
        enqueue_text(
            session,
            chat_id=officer.telegram_user_id,
            text=text,
            priority=priority,
            purpose="alert",
            now=now,
            ref_id=alert.id,
        )


async def chat_unreachable(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """Telegram answered Forbidden for this chat: its cases are unreachable (sender hook)."""
    cases = await session.scalars(
        select(Case).where(Case.chat_id == chat_id, Case.status.in_(("pending", "active")))
    )
    for case in cases:
        if case.unreachable_since is not None:
            continue  # already known; one alert, not one per message
        case.unreachable_since = now
        await raise_alert(
            session,
            kind=UNREACHABLE,
            commune_code=case.commune_code,
            now=now,
            evidence={"reason": "blocked"},
            case_id=case.id,
        )


async def delivery_resent(session: AsyncSession, old_outbox_id: int, new_outbox_id: int) -> None:
    """An alert copy was queued again after a crash (sender hook)."""
