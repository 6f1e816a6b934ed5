"""What every seam of the case service shares: the database, the clock and the settings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.alerts import AlertConfig
from bot.cases.values import CaseView
from bot.cases.views import case_view
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.models import Case


class CaseSeam:
    """The base of each case seam (registration, enrolment, home, lifecycle, ...)."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._cases = settings.cases
        self._provinces = settings.deployment.provinces
        self._alerts = AlertConfig.from_settings(settings)

    def today(self) -> date:
        """The date in the deployment's time zone."""
        return self._clock.now().astimezone(self._settings.schedule.tz).date()

    def _ttl(self) -> timedelta:
        return timedelta(hours=self._cases.link_ttl_hours)

    def _geo(self) -> Any:
        return self._settings.geofence

    async def _view(self, session: AsyncSession, case: Case) -> CaseView:
        return await case_view(
            session, case, self.today(), self._clock.now(), self._cases.enrol_deadline_hours
        )

    async def _views(self, session: AsyncSession, cases: Sequence[Case]) -> list[CaseView]:
        return [await self._view(session, case) for case in cases]
