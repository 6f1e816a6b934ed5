"""The services a process needs, built once from settings, a database and a clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.alerts import AlertService
from bot.areas import AreaService
from bot.boundaries import BoundaryService
from bot.cases import CaseService
from bot.checkins import CheckinService
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.desk import DeskAlertService, DeskCaseService, MapService, PublicService, SigninService
from bot.desk.limits import AttemptLimit
from bot.dialogues import DialogueService
from bot.digest import DigestService
from bot.inbound import InboundService
from bot.messaging.status import OutboxService
from bot.officers import OfficerService
from bot.preferences import PreferenceService
from bot.reports import ReportService
from bot.retention import RetentionService
from bot.routing import ROUTING_KEY, Routing


@dataclass
class Services:
    """Every domain service, sharing one database and one clock."""

    settings: Settings
    db: Database
    clock: Clock
    areas: AreaService = field(init=False)
    boundaries: BoundaryService = field(init=False)
    officers: OfficerService = field(init=False)
    preferences: PreferenceService = field(init=False)
    dialogues: DialogueService = field(init=False)
    alerts: AlertService = field(init=False)
    digests: DigestService = field(init=False)
    outbox: OutboxService = field(init=False)
    cases: CaseService = field(init=False)
    checkins: CheckinService = field(init=False)
    inbound: InboundService = field(init=False)
    reports: ReportService = field(init=False)
    retention: RetentionService = field(init=False)
    signins: SigninService = field(init=False)
    signin_limit: AttemptLimit = field(init=False)
    desk_map: MapService = field(init=False)
    desk_alerts: DeskAlertService = field(init=False)
    desk_cases: DeskCaseService = field(init=False)
    public: PublicService = field(init=False)

    def __post_init__(self) -> None:
        # Every unit of work knows its bot: what it queues goes to the bot of the recipient's
        # province, and people of another bot's provinces are strangers here (bot/routing.py).
        self.db = self.db.with_info(**{ROUTING_KEY: Routing.of(self.settings)})
        provinces = self.settings.deployment.provinces
        self.areas = AreaService(self.db, provinces)
        self.boundaries = BoundaryService(self.db, self.clock, provinces)
        self.officers = OfficerService(
            self.db,
            self.clock,
            provinces,
            timedelta(hours=self.settings.invitations.ttl_hours),
        )
        self.preferences = PreferenceService(self.db, self.clock, self.settings.deployment.language)
        self.dialogues = DialogueService(self.db, self.clock)
        self.alerts = AlertService(self.db, self.clock, self.settings)
        self.digests = DigestService(self.db, self.clock, self.settings)
        self.outbox = OutboxService(self.db, self.clock)
        self.cases = CaseService(self.db, self.clock, self.settings)
        self.checkins = CheckinService(self.db, self.clock, self.settings)
        self.inbound = InboundService(
            self.db, self.clock, self.cases, self.checkins, self.dialogues, self.preferences
        )
        self.reports = ReportService(self.db, self.clock, self.settings, self.boundaries)
        self.retention = RetentionService(
            self.db, self.clock, self.settings.retention.purge_after_days
        )
        web, tz = self.settings.web, self.settings.schedule.tz
        self.signins = SigninService(
            self.db,
            self.clock,
            web.base_url,
            timedelta(minutes=web.signin_minutes),
            timedelta(hours=web.session_hours),
        )
        # Sign-in links opened per client address: 10 a minute, across every worker.
        self.signin_limit = AttemptLimit(self.db, self.clock, "signin", limit=10)
        self.desk_map = MapService(self.db, self.clock, tz)
        self.desk_alerts = DeskAlertService(self.db)
        self.desk_cases = DeskCaseService(self.db, self.clock, tz)
        self.public = PublicService(self.db, self.clock, provinces, tz)
