"""Alerts: raising them (one open alert per case and kind), delivering every copy through the
outbox, acknowledging and closing them from a button, escalating, and quiet hours.

Other services call the module-level functions with their own session (`raise_alert`,
`note_back_home`, `close_alert`), so an alert and its messages are written in the same unit
of work as whatever caused them; they pass the `AlertConfig` they built once from their
settings (`AlertConfig.from_settings`). `AlertService` is what handlers and ticks call.

- `values`: kinds, severity, holding rules, states and the values returned;
- `config`: `AlertConfig`, the time zone, quiet hours and language every function is given;
- `raising`: opening an alert or adding evidence; quiet hours; back home; unreachable chats;
- `delivery`: the readers' copies through the outbox, pins, and edits of the copies;
- `display`: an alert's text and choices for one reader (a `Text`); the choices' data;
- `closing`: closing an alert for the service that owns its cause;
- `escalation`: the tick that sends untaken alerts upward, and home-not-set;
- `counts`: the digest's numbers and the bounds of a local day;
- `service`: `AlertService`, button presses, lists and the tick.
"""

from bot.alerts.closing import close_alert
from bot.alerts.config import AlertConfig
from bot.alerts.counts import alert_counts, local_day_bounds
from bot.alerts.delivery import (
    commune_officers,
    delivery_resent,
    province_supervisors,
    refresh_copies,
)
from bot.alerts.display import local_time, number, parse_callback, render
from bot.alerts.escalation import escalate_due, raise_home_not_set
from bot.alerts.raising import (
    chat_unreachable,
    hold_until,
    note_back_home,
    quiet_hours_end,
    raise_alert,
)
from bot.alerts.service import AlertService
from bot.alerts.values import (
    ACKNOWLEDGED,
    ACTIONS,
    CITIZEN_REPORT,
    CLOSED_STATES,
    CONSENT_REFUSED,
    DANGER_SIGNS,
    ESCALATION_HELD_KINDS,
    FALSE_ALARM,
    HELD_KINDS,
    HOME_NOT_SET,
    MISSED_CHECKIN,
    NO_FALSE_ALARM_KINDS,
    OPEN,
    OPEN_STATES,
    OUT_OF_ZONE,
    RESOLVED,
    SELF_DELIVERED_KINDS,
    SEVERITY,
    SHOWN_EVIDENCE,
    SOS,
    UNREACHABLE,
    URGENT_KINDS,
    ActionResult,
    RaisedAlert,
)

__all__ = [
    "ACKNOWLEDGED",
    "ACTIONS",
    "CITIZEN_REPORT",
    "CLOSED_STATES",
    "CONSENT_REFUSED",
    "DANGER_SIGNS",
    "ESCALATION_HELD_KINDS",
    "FALSE_ALARM",
    "HELD_KINDS",
    "HOME_NOT_SET",
    "MISSED_CHECKIN",
    "NO_FALSE_ALARM_KINDS",
    "OPEN",
    "OPEN_STATES",
    "OUT_OF_ZONE",
    "RESOLVED",
    "SELF_DELIVERED_KINDS",
    "SEVERITY",
    "SHOWN_EVIDENCE",
    "SOS",
    "UNREACHABLE",
    "URGENT_KINDS",
    "ActionResult",
    "AlertConfig",
    "AlertService",
    "RaisedAlert",
    "alert_counts",
    "chat_unreachable",
    "close_alert",
    "commune_officers",
    "delivery_resent",
    "escalate_due",
    "hold_until",
    "local_day_bounds",
    "local_time",
    "note_back_home",
    "number",
    "parse_callback",
    "province_supervisors",
    "quiet_hours_end",
    "raise_alert",
    "raise_home_not_set",
    "refresh_copies",
    "render",
]
