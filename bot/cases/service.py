"""The case service handlers call as `services.cases`: every seam in one object."""

from __future__ import annotations

from bot.cases.channel import ChannelChange
from bot.cases.conversation import RegistrationConversation
from bot.cases.enrolment import Enrolment
from bot.cases.export import Export
from bot.cases.home import HomeAnchoring
from bot.cases.importing import CaseImport
from bot.cases.lifecycle import Lifecycle
from bot.cases.listing import Listing
from bot.cases.status import PersonStatuses


class CaseService(
    RegistrationConversation,
    CaseImport,
    Enrolment,
    HomeAnchoring,
    Listing,
    Lifecycle,
    PersonStatuses,
    Export,
    ChannelChange,
):
    """Everything officers and people do with cases.

    Each base is one seam, readable alone, sharing only `CaseSeam`'s database, clock and
    settings; none calls another's methods, so the bases only add up.
    """
