"""Who may see and act on what: an officer, their commune; a supervisor, their province.

Every service asks here, for cases, alerts, reports, digests and exports alike, so the
rule is written once. Whether the caller is an officer at all (invited, not revoked) is
`bot.officers.require_officer`'s question; this module answers "which area is theirs", and
(`entitled`) whether anything about an area may still be sent to them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement

from bot.models import Officer


class Role(StrEnum):
    """What an invitation makes of a Telegram user."""

    OFFICER = "officer"  # a commune health-station worker
    SUPERVISOR = "supervisor"  # provincial CDC / health department


def is_commune_officer(officer: Officer) -> bool:
    """Whether the officer works for one commune (and so registers and follows cases)."""
    return officer.role == Role.OFFICER and officer.commune_code is not None


def may_see(officer: Officer, commune_code: int | None, province_code: int | None) -> bool:
    """Whether something of this commune and province lies in the officer's area."""
    if officer.role == Role.OFFICER:
        return officer.commune_code is not None and commune_code == officer.commune_code
    return officer.role == Role.SUPERVISOR and province_code == officer.province_code


def entitled(officer: Officer, commune_code: int | None, province_code: int | None) -> bool:
    """Whether the officer may still be sent anything about this commune and province.

    The one rule every path that writes to an officer asks, when a message is queued and
    when a queued one is re-examined (bot/access.py): not revoked, and the area is theirs
    today (an officer who moved to another commune keeps nothing of the old one).
    """
    return officer.revoked_at is None and may_see(officer, commune_code, province_code)


def area_clause(officer: Officer, commune_column: Any, province_column: Any) -> ColumnElement[bool]:
    """A WHERE clause for rows (by their commune and province columns) in the officer's area."""
    if officer.role == Role.OFFICER:
        clause: ColumnElement[bool] = commune_column == officer.commune_code
    else:
        clause = province_column == officer.province_code
    return clause
