"""Citizen reports: the /report conversation, routing, officers' handling, anonymity, purge.

A citizen describes a suspected violation (text, optional photo, optional location); the
report goes to the commune the location falls in (when boundaries are loaded) or the one
the citizen picks by name, as a `citizen_report` alert plus the report itself (text, photo,
pin) with buttons for the commune's officers. Officers never learn who reported: the
reporter's Telegram id is stored only as an HMAC keyed with `reports.secret` (for rate
limits, abuse control and merging), and their chat address only sealed with that secret
until the outcome notice is queued. Closed reports are purged after `reports.keep_days`.

- `values`: steps, outcomes, states and the values the others return;
- `intake`: the citizen's conversation, limits, merging and filing;
- `handling`: officers take, close or pass on a report; the reporter's outcome notice;
- `privacy`: the reporter's pseudonym and sealed address, and the purge;
- `copies`: the officers' copies of a report, sent and kept current;
- `display`: how a card, its menus, the list and the citizen's steps look (content);
- `records`, `matching`: the report rows as the others read them; the cases it may be about;
- `service`: `ReportService`, the one entry point the handlers call.
"""

from bot.reports.display import (
    CANCEL,
    COMMUNE,
    OUTCOME_CODES,
    SEND,
    START_REPORT,
    abuse_keyboard,
    card_menu,
    main_keyboard,
    outcome_keyboard,
    render_card,
)
from bot.reports.intake import PHOTO_MIME_TYPES
from bot.reports.matching import match_cases
from bot.reports.privacy import ReporterKeys
from bot.reports.records import report_counts
from bot.reports.service import ReportService
from bot.reports.values import (
    ABUSE,
    CARD,
    CONFIRMED,
    FLOW,
    MERGE_WINDOW,
    NOTHING_FOUND,
    NOTICE,
    OPEN_STATES,
    OUTCOMES,
    PHOTO,
    PIN,
    REROUTE_FLOW,
    STEP_COMMUNE,
    STEP_CONFIRM,
    STEP_LOCATION,
    STEP_PHOTO,
    STEP_TEXT,
    Attachment,
    AttachmentKind,
    Draft,
    Outcome,
    Receipt,
    ReportCard,
    ReportCounts,
    ReportState,
    Step,
)

__all__ = [
    "ABUSE",
    "CANCEL",
    "CARD",
    "COMMUNE",
    "CONFIRMED",
    "FLOW",
    "MERGE_WINDOW",
    "NOTHING_FOUND",
    "NOTICE",
    "OPEN_STATES",
    "OUTCOMES",
    "OUTCOME_CODES",
    "PHOTO",
    "PHOTO_MIME_TYPES",
    "PIN",
    "REROUTE_FLOW",
    "SEND",
    "START_REPORT",
    "STEP_COMMUNE",
    "STEP_CONFIRM",
    "STEP_LOCATION",
    "STEP_PHOTO",
    "STEP_TEXT",
    "Attachment",
    "AttachmentKind",
    "Draft",
    "Outcome",
    "Receipt",
    "ReportCard",
    "ReportCounts",
    "ReportService",
    "ReportState",
    "ReporterKeys",
    "Step",
    "abuse_keyboard",
    "card_menu",
    "main_keyboard",
    "match_cases",
    "outcome_keyboard",
    "render_card",
    "report_counts",
]
