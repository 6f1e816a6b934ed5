"""The web desk's list of open alerts, most urgent first, as plain values.

Acting on one goes through `AlertService.perform`, the call the Telegram buttons make, so
a take on the page edits every officer's card and a take in Telegram shows on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import aliased

from bot import policy
from bot.alerts.values import NO_FALSE_ALARM_KINDS, OPEN_STATES
from bot.db import Database
from bot.desk.scope import desk_officer
from bot.models import Alert, Case, Commune, Officer


@dataclass(frozen=True)
class DeskAlert:
    """One open alert as the desk lists it (a case's code, never its name)."""

    id: int
    kind: str
    state: str
    commune_name: str
    case_id: int | None
    case_code: str | None
    opened_at: datetime
    taken_by: str | None
    may_false_alarm: bool


class DeskAlertService:
    """Open alerts of the signed-in officer's area."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def open_alerts(self, officer_id: int, limit: int = 200) -> list[DeskAlert]:
        """The area's open and taken alerts, most urgent first (as /alerts orders them)."""
        taker = aliased(Officer)
        async with self._db.transaction() as session:
            officer = await desk_officer(session, officer_id)
            query = (
                select(Alert, Commune.name, Case.code, taker.display_name)
                .join(Commune, Commune.code == Alert.commune_code)
                .outerjoin(Case, Case.id == Alert.case_id)
                .outerjoin(taker, taker.id == Alert.acknowledged_by)
                .where(
                    Alert.state.in_(OPEN_STATES),
                    policy.area_clause(officer, Alert.commune_code, Alert.province_code),
                )
            )
            if officer.role == policy.Role.OFFICER:
                query = query.where(Alert.officer_id.is_(None))  # about officers: supervisors'
            rows = (
                await session.execute(
                    query.order_by(Alert.severity, Alert.opened_at, Alert.id).limit(limit)
                )
            ).all()
        return [
            DeskAlert(
                id=alert.id,
                kind=alert.kind,
                state=alert.state,
                commune_name=commune_name,
                case_id=alert.case_id,
                case_code=case_code,
                opened_at=alert.opened_at,
                taken_by=taken_by if alert.acknowledged_by is not None else None,
                may_false_alarm=alert.kind not in NO_FALSE_ALARM_KINDS,
            )
            for alert, commune_name, case_code, taken_by in rows
        ]
