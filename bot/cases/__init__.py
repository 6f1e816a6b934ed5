"""Cases: registration, import, enrolment by one-time link, home anchoring, lifecycle, export.

Authorisation lives here (`queries`): an officer sees and changes only their commune's cases,
a supervisor only their province's; anything else is answered as if the case did not exist.

One module per seam, each a `CaseSeam` subclass; `CaseService` (`service`) puts them together:

- `registration`: one case entered in chat; `importing`: many from a file.
- `enrolment`: one-time links and consent; `home`: the home pin and the officer's decision.
- `listing`: the officer's list and one case; `lifecycle`: extend, release, hospitalized,
  transfer, and the ticks that release on the end date and flag cases never enrolled.
- `status`: the person's /status; `export`: the spreadsheets.
- `values`: statuses and result types; `views`: a case row as a `CaseView`;
  `display`: the notices, home pins and keyboards the seams send.
"""

from bot.cases.display import links_file, location_keyboard
from bot.cases.lifecycle import MAX_EXTEND_DAYS, RELEASE_BATCH
from bot.cases.registration import CODE_ALPHABET, CODE_LENGTH, new_case_code
from bot.cases.service import CaseService
from bot.cases.values import (
    ACTIONS,
    ACTIVE,
    CANCELLED,
    ENROL_FLOW,
    ENROL_PREFIX,
    EXTEND,
    HOME_FLOW,
    HOME_NOT_SET,
    HOME_PROPOSED,
    HOME_SET,
    HOSPITALIZE,
    HOSPITALIZED,
    IMPORT_FLOW,
    OPEN_STATUSES,
    PENDING,
    REGISTER_FLOW,
    RELEASE,
    RELEASED,
    STATUSES,
    TRANSFER,
    TRANSFERRED,
    CaseAction,
    CaseStatus,
    CaseView,
    ChangePreview,
    ConsentPending,
    Enrolled,
    ExportFiles,
    HomeStatus,
    ImportOutcome,
    Invitation,
    IssuedLink,
    PersonStatus,
    isolation_day,
)

__all__ = [
    "ACTIONS",
    "ACTIVE",
    "CANCELLED",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "ENROL_FLOW",
    "ENROL_PREFIX",
    "EXTEND",
    "HOME_FLOW",
    "HOME_NOT_SET",
    "HOME_PROPOSED",
    "HOME_SET",
    "HOSPITALIZE",
    "HOSPITALIZED",
    "IMPORT_FLOW",
    "MAX_EXTEND_DAYS",
    "OPEN_STATUSES",
    "PENDING",
    "REGISTER_FLOW",
    "RELEASE",
    "RELEASED",
    "RELEASE_BATCH",
    "STATUSES",
    "TRANSFER",
    "TRANSFERRED",
    "CaseAction",
    "CaseService",
    "CaseStatus",
    "CaseView",
    "ChangePreview",
    "ConsentPending",
    "Enrolled",
    "ExportFiles",
    "HomeStatus",
    "ImportOutcome",
    "Invitation",
    "IssuedLink",
    "PersonStatus",
    "isolation_day",
    "links_file",
    "location_keyboard",
    "new_case_code",
]
