"""Alert kinds, their severity and holding rules, states, and the values alert modules return."""

from __future__ import annotations

from dataclasses import dataclass

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
# Only these wait for the end of quiet hours; sos, danger signs and out of zone never do.
HELD_KINDS = frozenset({MISSED_CHECKIN, HOME_NOT_SET, CITIZEN_REPORT})
# Escalating these can wait for the morning too: nobody's life hangs on them tonight.
ESCALATION_HELD_KINDS = HELD_KINDS | {CONSENT_REFUSED}
# A refusal is a fact, not a false alarm: its card offers only acknowledge and resolve.
NO_FALSE_ALARM_KINDS = frozenset({CONSENT_REFUSED})
# The reports service delivers its own card (with its own buttons) for a citizen report;
# the alert carries escalation and the digest's counts.
SELF_DELIVERED_KINDS = frozenset({CITIZEN_REPORT})

OPEN, ACKNOWLEDGED, RESOLVED, FALSE_ALARM = "open", "acknowledged", "resolved", "false_alarm"
OPEN_STATES = (OPEN, ACKNOWLEDGED)
CLOSED_STATES = (RESOLVED, FALSE_ALARM)

# The verbs of an alert's choices (`Action.ALERT`: al:<verb>:<alert id>).
ACTIONS = {"a": "acknowledge", "r": RESOLVED, "f": FALSE_ALARM}
# Evidence lines shown on a copy: the latest few; the count says how many there are.
SHOWN_EVIDENCE = 4


@dataclass(frozen=True)
class RaisedAlert:
    """The alert a piece of evidence went to, and whether it was opened just now."""

    id: int
    kind: str
    is_new: bool


@dataclass(frozen=True)
class ActionResult:
    """What a button press did, for the short answer the officer sees."""

    alert_id: int
    action: str
    state: str
    language: str
