"""`services.reports`: one entry point over intake, handling and the purge."""

from __future__ import annotations

from bot.alerts import AlertConfig
from bot.areas import CommuneView
from bot.boundaries import BoundaryService
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.reports.copies import CardCopies
from bot.reports.handling import ReportHandling
from bot.reports.intake import ReportIntake
from bot.reports.privacy import ReporterKeys, purge_reports
from bot.reports.values import Attachment, Draft, Receipt, ReportCard


class ReportService:
    """Takes citizens' reports and lets officers handle them."""

    def __init__(
        self, db: Database, clock: Clock, settings: Settings, boundaries: BoundaryService
    ) -> None:
        self._db = db
        self._clock = clock
        self._keep_days = settings.reports.keep_days
        self.tz = settings.schedule.tz
        keys = ReporterKeys(settings.reports.secret) if settings.reports.enabled else None
        copies = CardCopies(settings.deployment.language, self.tz)
        alerts = AlertConfig.from_settings(settings)
        self.intake = ReportIntake(db, clock, settings, boundaries, keys, copies, alerts)
        self.handling = ReportHandling(db, clock, settings, keys, copies, alerts)

    # ---- the citizen's conversation ---------------------------------------------------

    async def begin(self, telegram_user_id: int, chat_id: int) -> None:
        """Start a report, unless reports are off or the reporter is over a limit."""
        await self.intake.begin(telegram_user_id, chat_id)

    async def give_text(self, telegram_user_id: int, text: str) -> Draft:
        """The description; refused (state kept) when too short or too long."""
        return await self.intake.give_text(telegram_user_id, text)

    async def give_photo(self, telegram_user_id: int, attachment: Attachment | None) -> Draft:
        """A photo (or an image sent as a file), or None to skip; anything else is refused."""
        return await self.intake.give_photo(telegram_user_id, attachment)

    async def give_location(
        self, telegram_user_id: int, point: tuple[float, float] | None, accuracy_m: float | None
    ) -> Draft:
        """Where it happens (None to skip); the commune follows from it if it can."""
        return await self.intake.give_location(telegram_user_id, point, accuracy_m)

    async def search_communes(self, telegram_user_id: int, query: str) -> list[CommuneView]:
        """The served communes whose name matches what the reporter typed, best first."""
        return await self.intake.search_communes(telegram_user_id, query)

    async def choose_commune(self, telegram_user_id: int, commune_code: int) -> Draft:
        """The commune the reporter picked from the offered buttons."""
        return await self.intake.choose_commune(telegram_user_id, commune_code)

    async def draft(self, telegram_user_id: int) -> Draft:
        """The reporter's report in progress."""
        return await self.intake.draft(telegram_user_id)

    async def submit(self, telegram_user_id: int) -> Receipt:
        """Send the confirmed report to its commune (or merge it into an identical one)."""
        return await self.intake.submit(telegram_user_id)

    # ---- officers ---------------------------------------------------------------------

    async def open_reports(self, telegram_user_id: int) -> tuple[str, list[ReportCard]]:
        """The open reports of the officer's commune (a supervisor's: the province's)."""
        return await self.handling.open_reports(telegram_user_id)

    async def card(self, telegram_user_id: int, report_id: int) -> ReportCard:
        """One report of the officer's area, in any state."""
        return await self.handling.card(telegram_user_id, report_id)

    async def open_card(self, telegram_user_id: int, report_id: int) -> ReportCard:
        """One report the officer may still act on (refused once it is closed)."""
        return await self.handling.open_card(telegram_user_id, report_id)

    async def acknowledge(
        self, telegram_user_id: int, report_id: int, shown_in: tuple[int, int] | None = None
    ) -> ReportCard:
        """The officer takes the report; every copy but `shown_in` shows who did."""
        return await self.handling.acknowledge(telegram_user_id, report_id, shown_in)

    async def close(
        self,
        telegram_user_id: int,
        report_id: int,
        outcome: str,
        shown_in: tuple[int, int] | None = None,
    ) -> ReportCard:
        """Record the outcome, close the alert and tell every reporter of it in one line."""
        return await self.handling.close(telegram_user_id, report_id, outcome, shown_in)

    async def begin_reroute(self, telegram_user_id: int, chat_id: int, report_id: int) -> str:
        """'Not our commune': ask the officer for the right one; returns the reference."""
        return await self.handling.begin_reroute(telegram_user_id, chat_id, report_id)

    async def reroute_choices(
        self, telegram_user_id: int, report_id: int, query: str
    ) -> list[CommuneView]:
        """Served communes matching the officer's words, other than the report's own."""
        return await self.handling.reroute_choices(telegram_user_id, report_id, query)

    async def reroute(self, telegram_user_id: int, report_id: int, commune_code: int) -> ReportCard:
        """Hand the report to another commune: its officers get it as a new alert."""
        return await self.handling.reroute(telegram_user_id, report_id, commune_code)

    # ---- housekeeping -----------------------------------------------------------------

    async def purge(self) -> int:
        """Delete reports closed more than keep_days ago, with everything that names them."""
        return await purge_reports(self._db, self._clock.now(), self._keep_days)
