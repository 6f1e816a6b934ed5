"""SQLAlchemy models: the one place the schema is written down (Alembic mirrors it).

Each domain keeps its tables in a module of its own; importing this package registers all
of them on `Base.metadata`, which the migrations are compared against.
"""

from bot.models.alerts import Alert, AlertDelivery, DigestRun
from bot.models.areas import Commune, Province
from bot.models.audit import AuditEntry, UserPreference
from bot.models.base import Base, UTCDateTime
from bot.models.cases import Case
from bot.models.channels import ChannelContact
from bot.models.checkins import Checkin, CheckinPlan, LiveStream, LocationFix
from bot.models.messaging import Dialogue, HandledUpdate, OutboxMessage, SenderInstance
from bot.models.officers import Invitation, Officer
from bot.models.reports import CitizenReport
from bot.models.sms import LocationLink
from bot.models.web import WebAttempts, WebSession, WebSignin
from bot.models.zalo import ZnsMessage

__all__ = [
    "Alert",
    "AlertDelivery",
    "AuditEntry",
    "Base",
    "Case",
    "ChannelContact",
    "Checkin",
    "CheckinPlan",
    "CitizenReport",
    "Commune",
    "Dialogue",
    "DigestRun",
    "HandledUpdate",
    "Invitation",
    "LiveStream",
    "LocationFix",
    "LocationLink",
    "Officer",
    "OutboxMessage",
    "Province",
    "SenderInstance",
    "UTCDateTime",
    "UserPreference",
    "WebAttempts",
    "WebSession",
    "WebSignin",
    "ZnsMessage",
]
