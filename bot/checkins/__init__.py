"""Check-ins: the schedule as rows, prompts and reminders, the questionnaire, locations, SOS.

- `planning`: the occurrences written ahead; `next_checkin_at`. `plan_rows` writes them in
  bulk; `statistics` keeps PostgreSQL's planner statistics up with the bulk writes.
- `rounds`: the tick, prompts, windows, reminders, misses; `sent`: windows opened in the
  sender's unit of work as its prompts go out (`prompts_sent`).
- `questionnaire` and `steps`: the questions one step at a time, and the triage hand-off.
- `typed`: a button's label typed instead of pressed.
- `locations`, `live`, `fixes`: the location answer, live-location edits, the fix row.
- `location_sql` and `unit_of_work`: the location hot path's Core statements and unit.
- `sos`, `times`: /sos and an officer's per-case /times.
- `display`: what check-ins say (prompts, questions, choices, warnings) as channel-free
  content from the catalogue.
- `chats`: a chat's active cases and its language.
- `values`: the words (states, steps, flows) and the results handed to handlers.
- `service`: `CheckinService`, the entry point composed of the above.
"""

from bot.checkins import display
from bot.checkins.planning import next_checkin_at
from bot.checkins.sent import prompts_sent
from bot.checkins.service import CheckinService
from bot.checkins.times import MAX_TIMES, normalise_times
from bot.checkins.values import (
    ANSWERED,
    CANCELLED,
    CLOSED,
    DONE,
    FEELING,
    FEELINGS,
    FINISHED,
    FLOW,
    LATE,
    LOCATION,
    LOCATION_MISSING,
    MANUAL,
    MISSED,
    NUMBER_STEPS,
    ON_TIME,
    OPEN,
    QUEUED,
    SCHEDULED,
    SPOT,
    SYMPTOMS_STEP,
    WHERE_FLOW,
    CheckinView,
    LocationInput,
    LocationReply,
    LocationResult,
    LocationStatus,
    PersonChoice,
    Question,
    ReplyStatus,
    SosResult,
    SosStatus,
    StartResult,
    StartStatus,
    StepResult,
    StepStatus,
    TickReport,
    TimesPreview,
)

__all__ = [
    "ANSWERED",
    "CANCELLED",
    "CLOSED",
    "DONE",
    "FEELING",
    "FEELINGS",
    "FINISHED",
    "FLOW",
    "LATE",
    "LOCATION",
    "LOCATION_MISSING",
    "MANUAL",
    "MAX_TIMES",
    "MISSED",
    "NUMBER_STEPS",
    "ON_TIME",
    "OPEN",
    "QUEUED",
    "SCHEDULED",
    "SPOT",
    "SYMPTOMS_STEP",
    "WHERE_FLOW",
    "CheckinService",
    "CheckinView",
    "LocationInput",
    "LocationReply",
    "LocationResult",
    "LocationStatus",
    "PersonChoice",
    "Question",
    "ReplyStatus",
    "SosResult",
    "SosStatus",
    "StartResult",
    "StartStatus",
    "StepResult",
    "StepStatus",
    "TickReport",
    "TimesPreview",
    "display",
    "next_checkin_at",
    "normalise_times",
    "prompts_sent",
]
