"""The location hot path's Core statements, built once, and its one read of a chat.

A statement built per call costs more than the database's own work, so every statement of
a location check-in is built here at import and run with parameters.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.checkins.fixes import FIX_COLUMNS
from bot.checkins.values import ANSWERED, FLOW, LOCATION, OPEN, QUEUED, LocationInput
from bot.dialogues import DIALOGUE_TTL, DialogueState
from bot.models import Case, Checkin, Dialogue, LiveStream, LocationFix, UserPreference
from geofence import Fix, FixKind

CASES = cast(Table, Case.__table__)
CHECKINS = cast(Table, Checkin.__table__)
_FIXES = cast(Table, LocationFix.__table__)
_STREAMS = cast(Table, LiveStream.__table__)
_PREFERENCES = cast(Table, UserPreference.__table__)
_DIALOGUES = cast(Table, Dialogue.__table__)

INSERT_FIX = insert(_FIXES)
INSERT_STREAM = insert(_STREAMS).returning(_STREAMS.c.id)
# One statement for every location answer (a statement built per call costs more than
# the database's own work).
UPDATE_LOCATION_STEP = (
    update(CHECKINS)
    .where(CHECKINS.c.id == bindparam("checkin_id"))
    .values(
        answers=bindparam("answers", type_=CHECKINS.c.answers.type),
        step=bindparam("step"),
        state=bindparam("state"),
        completed_at=bindparam("completed_at", type_=CHECKINS.c.completed_at.type),
        next_action_at=bindparam("next_action_at", type_=CHECKINS.c.next_action_at.type),
        answered_at=func.coalesce(
            CHECKINS.c.answered_at,
            bindparam("answered_at", type_=CHECKINS.c.answered_at.type),
        ),
        outcome=func.coalesce(
            CHECKINS.c.outcome, bindparam("outcome", type_=CHECKINS.c.outcome.type)
        ),
    )
)
END_DIALOGUE = delete(_DIALOGUES).where(
    _DIALOGUES.c.telegram_user_id == bindparam("user_id"), _DIALOGUES.c.flow == FLOW
)


def _answer_with_fix(end_dialogue: bool) -> Any:
    """PostgreSQL: INSERT the fix (and end the conversation) in the check-in's UPDATE."""
    fix = insert(_FIXES).values(
        {name: bindparam(f"fix_{name}", type_=_FIXES.c[name].type) for name in FIX_COLUMNS}
    )
    statement = UPDATE_LOCATION_STEP.add_cte(fix.cte("new_fix"))
    if end_dialogue:
        ended = END_DIALOGUE.cte("ended")
        statement = statement.add_cte(ended)
    return statement


ANSWER_WITH_FIX = {False: _answer_with_fix(False), True: _answer_with_fix(True)}
# A chat without an active case: its language and the user's conversation, if any.
_NO_CASE = select(
    select(_PREFERENCES.c.language)
    .where(_PREFERENCES.c.telegram_user_id == bindparam("chat_id"))
    .scalar_subquery(),
    *(
        select(column)
        .where(_DIALOGUES.c.telegram_user_id == bindparam("user_id"))
        .scalar_subquery()
        for column in (
            _DIALOGUES.c.flow,
            _DIALOGUES.c.step,
            _DIALOGUES.c.data,
            _DIALOGUES.c.updated_at,
        )
    ),
)


def _people_statement() -> Any:
    """The chat's active cases, its language, each one's waiting check-in and last fix."""
    cases, checkins, fixes, prefs = CASES.c, CHECKINS.c, _FIXES.c, _PREFERENCES.c
    dialogues = _DIALOGUES.c
    last_fix_id = (
        select(fixes.id)
        .where(fixes.case_id == cases.id)
        .order_by(fixes.taken_at.desc(), fixes.id.desc())
        .limit(1)
        .correlate(CASES)
        .scalar_subquery()
    )
    joined = (
        CASES.outerjoin(_PREFERENCES, prefs.telegram_user_id == cases.chat_id)
        .outerjoin(
            CHECKINS,
            and_(
                checkins.case_id == cases.id,
                checkins.step == LOCATION,
                # Not IN (...): an expanding IN is rendered again at every execution.
                or_(checkins.state == QUEUED, checkins.state == OPEN, checkins.state == ANSWERED),
            ),
        )
        .outerjoin(_FIXES, fixes.id == last_fix_id)
        .outerjoin(_DIALOGUES, dialogues.telegram_user_id == bindparam("user_id"))
    )
    return (
        select(
            cases.id,
            cases.full_name,
            cases.zone,
            cases.home_status,
            cases.commune_code,
            cases.language,
            cases.unreachable_since,
            prefs.language,
            checkins.id,
            checkins.kind,
            checkins.answers,
            checkins.closes_at,
            checkins.answered_at,
            fixes.lat,
            fixes.lon,
            fixes.accuracy_m,
            fixes.taken_at,
            fixes.fix_kind,
            dialogues.flow,
            dialogues.step,
            dialogues.data,
            dialogues.updated_at,
            cases.province_code,
        )
        .select_from(joined)
        .where(cases.chat_id == bindparam("chat_id"), cases.status == "active")
        .order_by(cases.id, checkins.due_at.desc())
    )


_PEOPLE = _people_statement()


@dataclass(frozen=True)
class Waiting:
    """A check-in of the case at its location step."""

    id: int
    kind: str
    answers: dict[str, Any]
    closes_at: datetime | None
    answered_at: datetime | None


@dataclass(frozen=True)
class Person:
    """A case of the chat as the location path needs it."""

    id: int
    name: str
    zone: dict[str, Any] | None
    home_status: str
    commune_code: int
    unreachable: bool
    waiting: Waiting | None
    last_fix: Fix | None


async def chat_people(
    connection: AsyncConnection,
    chat_id: int,
    user_id: int,
    now: datetime,
    provinces: tuple[int, ...] | None = None,
) -> tuple[list[Person], str, DialogueState | None]:
    """The chat's active cases with what a location needs, the language to answer in and
    the user's conversation: one query (two when the chat has no case).

    With `provinces` (a bot's), cases of other provinces are left out: that bot is not
    theirs (bot/routing.py).
    """
    rows = (await connection.execute(_PEOPLE, {"chat_id": chat_id, "user_id": user_id})).all()
    if provinces is not None:
        rows = [row for row in rows if row[22] in provinces]
    people: list[Person] = []
    for row in rows:
        (case_id, name, zone, home, commune, _, unreachable, _, checkin_id, kind, answers) = row[
            :11
        ]
        if people and people[-1].id == case_id:
            continue  # an older waiting check-in of the same case
        waiting = (
            Waiting(checkin_id, kind, dict(answers or {}), row[11], row[12])
            if checkin_id is not None
            else None
        )
        last = (
            Fix(row[13], row[14], row[15], row[16], FixKind(row[17]))
            if row[13] is not None
            else None
        )
        people.append(
            Person(case_id, name, zone, home, commune, unreachable is not None, waiting, last)
        )
    if rows:
        first = rows[0]
        # In a private chat the chat id is the user's id: their /language choice wins.
        language, dialogue = first[7] or first[5], first[18:22]
    else:
        alone = (
            await connection.execute(_NO_CASE, {"chat_id": chat_id, "user_id": user_id})
        ).first()
        language = (alone[0] if alone is not None else None) or "vi"
        dialogue = alone[1:] if alone is not None else (None, None, None, None)
    flow, step, data, updated_at = dialogue
    state = None
    if flow is not None and updated_at + DIALOGUE_TTL >= now:
        state = DialogueState(user_id, chat_id, flow, step, dict(data or {}))
    return people, language, state


def location_data(message: LocationInput) -> dict[str, Any]:
    """A location kept in a conversation (the database only; never logged)."""
    return {
        "message_id": message.message_id,
        "lat": message.lat,
        "lon": message.lon,
        "accuracy_m": message.accuracy_m,
        "date": message.date.isoformat(),
        "live_period": message.live_period,
    }


def location_from(data: dict[str, Any], chat_id: int, user_id: int) -> LocationInput:
    """A location kept by `location_data`, as the input it came from."""
    return LocationInput(
        chat_id=chat_id,
        user_id=user_id,
        message_id=int(data["message_id"]),
        lat=float(data["lat"]),
        lon=float(data["lon"]),
        accuracy_m=data["accuracy_m"],
        date=datetime.fromisoformat(data["date"]),
        live_period=data["live_period"],
    )
