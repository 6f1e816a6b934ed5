"""Locations: a check-in's location answer and a location shared on its own.

The hot path of every location check-in runs on a plain Core connection (see
`location_sql` and `unit_of_work`); live-location edits are in `live`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from bot import alerts
from bot.checkins.fixes import fix_evidence, fix_values
from bot.checkins.live import LiveEdits
from bot.checkins.location_sql import (
    ANSWER_WITH_FIX,
    CASES,
    CHECKINS,
    END_DIALOGUE,
    INSERT_FIX,
    INSERT_STREAM,
    UPDATE_LOCATION_STEP,
    Person,
    Waiting,
    chat_people,
    location_data,
    location_from,
)
from bot.checkins.unit_of_work import UnitOfWork, unit_of_work
from bot.checkins.values import (
    ANSWERED,
    DONE,
    FINISHED,
    FLOW,
    LOCATION,
    ON_TIME,
    SPOT,
    WHERE_FLOW,
    LocationInput,
    LocationReply,
    LocationResult,
    LocationStatus,
    PersonChoice,
    ReplyStatus,
)
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.dialogues import DialogueState, end_dialogue, save_dialogue
from bot.errors import NotAuthorised
from bot.routing import Routing
from geofence import (
    Fix,
    FixKind,
    TrackerState,
    Verdict,
    VerdictKind,
    advance,
    check_evidence,
    judge,
    zone_from_dict,
)

_Target = tuple[Person, Waiting | None]


class Locations:
    """Judges a location for the cases it counts for and records it with their check-ins."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._checkins = settings.checkins
        self._live = LiveEdits(settings)
        self._alerts = alerts.AlertConfig.from_settings(settings)
        self._provinces = Routing.of(settings).provinces

    async def location(self, message: LocationInput) -> LocationResult:
        """A location message or live-location edit: evidence rules, verdict, alert, record.

        The hot path of every location check-in runs on a plain Core connection: one query
        for the chat's cases (each with its waiting check-in and last fix), the user's
        conversation and the language; one INSERT of the fix; one UPDATE of the check-in;
        the commit. An ORM session joins the same transaction only for the rare extras
        (an alert, a live stream's start, a household's "whose location?").
        """
        now = self._clock.now()
        if message.edited:
            async with self._db.transaction() as session:
                return await self._live.edit(session, message, now)
        async with unit_of_work(self._db) as unit:
            people, language, state = await chat_people(
                unit.connection, message.chat_id, message.user_id, now, self._provinces
            )
            unit.flow = state.flow if state is not None else None
            if state is not None and state.flow not in (FLOW, WHERE_FLOW):
                # Another conversation asked for this location (e.g. anchoring the home).
                return LocationResult(LocationStatus.OTHER_FLOW, language)
            if not people:
                return LocationResult(LocationStatus.NOT_A_CASE, language)
            targets = await self._targets(unit, people, state)
            if not targets:
                # Several people on one phone and none is asked for a location: ask whose
                # it is; the location waits in the conversation until a name is pressed.
                where = DialogueState(
                    message.user_id,
                    message.chat_id,
                    WHERE_FLOW,
                    "which",
                    {"location": location_data(message)},
                )
                await save_dialogue(await unit.session(), where, now)
                choices = tuple(PersonChoice(p.id, p.name) for p in people)
                return LocationResult(LocationStatus.WHICH_PERSON, language, choices=choices)
            return await self._judge_all(unit, message, targets, language, now)

    async def location_for(self, chat_id: int, user_id: int, case_id: int) -> LocationResult:
        """The name pressed for a location shared in a household's chat: judge it for them."""
        now = self._clock.now()
        async with unit_of_work(self._db) as unit:
            people, language, state = await chat_people(
                unit.connection, chat_id, user_id, now, self._provinces
            )
            person = next((p for p in people if p.id == case_id), None)
            if person is None:
                raise NotAuthorised()
            if state is None or state.flow != WHERE_FLOW or "location" not in state.data:
                return LocationResult(LocationStatus.EXPIRED, language)
            await end_dialogue(await unit.session(), user_id)
            unit.flow = None
            message = location_from(state.data["location"], chat_id, user_id)
            return await self._judge_all(unit, message, [(person, person.waiting)], language, now)

    async def _judge_all(
        self,
        unit: UnitOfWork,
        message: LocationInput,
        targets: Sequence[_Target],
        language: str,
        now: datetime,
    ) -> LocationResult:
        replies = []
        keep_asking = False
        for person, waiting in targets:
            reply, again = await self._one(unit, message, person, waiting, now)
            replies.append(replace(reply, finished=waiting is not None and not again))
            keep_asking = keep_asking or again
        return LocationResult(LocationStatus.HANDLED, language, tuple(replies), keep_asking)

    async def _targets(
        self, unit: UnitOfWork, people: Sequence[Person], state: DialogueState | None
    ) -> list[_Target]:
        """Which cases (and their check-ins waiting for a location) a location counts for."""
        # With one person on the phone, the check-in waiting for a location is theirs; the
        # conversation says which person only when several share it.
        if len(people) > 1 and state is not None and state.flow == FLOW:
            wanted = int(state.data["checkin"])
            for person in people:
                if person.waiting is not None and person.waiting.id == wanted:
                    return [(person, person.waiting)]
            owner = await unit.connection.scalar(
                select(CHECKINS.c.case_id).where(CHECKINS.c.id == wanted)
            )
            for person in people:
                if person.id == owner:
                    return [(person, None)]
        waiting_people: list[_Target] = [(p, p.waiting) for p in people if p.waiting is not None]
        if waiting_people:
            # A household on one phone: a spot check waits for each of them at one place.
            return waiting_people
        if len(people) == 1:
            return [(people[0], None)]
        return []

    async def _one(
        self,
        unit: UnitOfWork,
        message: LocationInput,
        person: Person,
        waiting: Waiting | None,
        now: datetime,
    ) -> tuple[LocationReply, bool]:
        """Judge one location for one case; returns the reply and whether to ask again.

        The hot path of every location check-in: plain Core statements on the session's
        connection (no ORM objects, no flushes), after the one context query.
        """
        geo = self._settings.geofence
        fix = _fix(message)
        rejection = check_evidence(
            fix,
            forwarded=message.forwarded,
            is_venue=message.venue,
            message_date=message.date,
            now=now,
            previous=person.last_fix,
            settings=geo,
        )
        if rejection is not None:
            params = dict(rejection.params)
            shown = {"age_min": max(1, round(params.get("age_s", 0) / 60))}
            return LocationReply(
                ReplyStatus.REJECTED,
                person.name,
                rejection_key=rejection.message_key,
                rejection_params=shown,
            ), True
        verdict = None
        if person.zone is not None and person.home_status == "set":
            verdict = judge(zone_from_dict(person.zone), fix, geo)
        checkin_id = waiting.id if waiting is not None else None
        stream_id = None
        if message.live_period:
            stream_id = await self._start_stream(unit, message, person, checkin_id, fix, verdict)
        row = fix_values(person.id, fix, verdict, now, checkin_id=checkin_id, stream_id=stream_id)
        # PostgreSQL writes the fix with the check-in's answer in one statement (below).
        together = waiting is not None and not self._db.settings.is_sqlite
        if not together:
            await unit.write_last(INSERT_FIX, row)
        tries = int(waiting.answers.get("location_tries", 0)) + 1 if waiting is not None else 1
        uncertain = verdict is not None and verdict.kind is VerdictKind.UNCERTAIN
        # An uncertain fix is asked for once more; a live stream settles it by itself.
        again = uncertain and stream_id is None and tries < 2
        if waiting is not None:
            answer = _Answer(message, person, waiting, verdict, tries, again)
            await self._answered(unit, answer, now, row if together else None)
        reply = await self._reply(unit, person, fix, verdict, checkin_id, stream_id, now)
        return reply, again

    async def _start_stream(
        self,
        unit: UnitOfWork,
        message: LocationInput,
        person: Person,
        checkin_id: int | None,
        fix: Fix,
        verdict: Verdict | None,
    ) -> int:
        """Record the start of a live location; returns its stream's id."""
        assert message.live_period is not None
        geo = self._settings.geofence
        tracker = TrackerState()
        if verdict is not None:
            tracker = advance(tracker, fix, verdict, geo).state
        result = await unit.write(
            INSERT_STREAM,
            {
                "case_id": person.id,
                "chat_id": message.chat_id,
                "message_id": message.message_id,
                "checkin_id": checkin_id,
                "started_at": message.date,
                "expires_at": message.date + timedelta(seconds=message.live_period),
                "last_fix_at": fix.taken_at,
                "stopped_early": False,
                "tracker": tracker.to_dict(),
                "last_fix": fix.to_dict(),
            },
        )
        stream_id: int = result.scalar_one()
        return stream_id

    async def _reply(
        self,
        unit: UnitOfWork,
        person: Person,
        fix: Fix,
        verdict: Verdict | None,
        checkin_id: int | None,
        stream_id: int | None,
        now: datetime,
    ) -> LocationReply:
        """What to tell the person about the verdict; an alert when they are outside."""
        name = person.name
        if verdict is None:
            return LocationReply(ReplyStatus.LIVE if stream_id else ReplyStatus.RECORDED, name)
        distance = round(verdict.distance_m)
        if verdict.kind is VerdictKind.OUTSIDE and stream_id is None:
            await alerts.raise_alert(
                self._alerts,
                await unit.session(),
                kind=alerts.OUT_OF_ZONE,
                commune_code=person.commune_code,
                now=now,
                evidence=fix_evidence(fix, verdict.distance_m, verdict.accuracy_m, checkin_id),
                case_id=person.id,
            )
            return LocationReply(ReplyStatus.OUTSIDE, name, distance)
        if verdict.kind is VerdictKind.INSIDE:
            return LocationReply(ReplyStatus.INSIDE, name, distance)
        if stream_id is not None:
            return LocationReply(ReplyStatus.LIVE, name, distance)
        return LocationReply(ReplyStatus.UNCERTAIN, name, distance)

    async def _answered(
        self, unit: UnitOfWork, answer: _Answer, now: datetime, fix_row: dict[str, Any] | None
    ) -> None:
        """Write the location step of the waiting check-in (one UPDATE).

        With `fix_row` (PostgreSQL), the fix's INSERT and the conversation's end go in the
        same statement as data-modifying CTEs: one round trip instead of three.
        """
        waiting, person, verdict = answer.waiting, answer.person, answer.verdict
        # Still waiting for a better fix: answered, and the tick looks again at the close.
        closes_at = waiting.closes_at or now + timedelta(minutes=self._checkins.window_minutes)
        values: dict[str, Any] = {
            "checkin_id": waiting.id,
            "answers": {
                **waiting.answers,
                "location_tries": answer.tries,
                "location": verdict.kind.value if verdict is not None else "recorded",
            },
            "step": LOCATION,
            "state": ANSWERED,
            "completed_at": None,
            "next_action_at": closes_at,
            # Kept when already set (COALESCE in the statement).
            "answered_at": None,
            "outcome": None,
        }
        if waiting.kind == SPOT and waiting.answered_at is None:
            # A spot check is answered by any usable fix, even one to be sent again.
            values.update(answered_at=now, outcome=ON_TIME)
            if person.unreachable:
                await unit.write(
                    update(CASES).where(CASES.c.id == person.id).values(unreachable_since=None),
                    {},
                )
        end = False
        if not answer.again:
            values.update(step=FINISHED, completed_at=now, state=DONE, next_action_at=None)
            # The check-in conversation ends with it (no statement when there is none).
            end = unit.flow == FLOW
            if end:
                unit.flow = None
        if fix_row is not None:
            values.update({f"fix_{key}": value for key, value in fix_row.items()})
            values["user_id"] = answer.message.user_id
            await unit.write_last(ANSWER_WITH_FIX[end], values)
            return
        if end:
            await unit.write(END_DIALOGUE, {"user_id": answer.message.user_id})
        await unit.write_last(UPDATE_LOCATION_STEP, values)


@dataclass(frozen=True)
class _Answer:
    """A location as the answer to a waiting check-in: its verdict and whether to ask again."""

    message: LocationInput
    person: Person
    waiting: Waiting
    verdict: Verdict | None
    tries: int
    again: bool


def _fix(message: LocationInput) -> Fix:
    """The message's location as a fix of the kind Telegram says it is."""
    kind = (
        FixKind.LIVE
        if message.live_period
        else FixKind.CURRENT
        if message.accuracy_m is not None
        else FixKind.OTHER
    )
    return Fix(message.lat, message.lon, message.accuracy_m, message.date, kind)
