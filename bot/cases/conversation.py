"""The /register conversation: what each answer stores, which step follows, what is asked.

An officer answers one question at a time, typing or pressing a choice (its value is the
data after `Action.REGISTRATION`). The state is a dialogue row, so a restart or another
worker continues where the officer left off. A typed label of a choice ("hôm nay", "F0",
"Bỏ qua") counts as pressing it. Correcting one field from the summary comes back to the
summary, after the steps that belong with it (the F0 of an F1, the end of a new start).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from bot import policy
from bot.case_files import (
    KINDS,
    CaseDraft,
    FieldError,
    display_phone,
    format_point,
    normalise_code,
    parse_address,
    parse_birth_year,
    parse_date,
    parse_kind,
    parse_name,
    parse_phone,
)
from bot.cases.display import (
    EDITABLE,
    Option,
    home_pin,
    registration_options,
    registration_question,
)
from bot.cases.queries import visible_case
from bot.cases.registration import Registration
from bot.cases.values import REGISTER_FLOW, IssuedLink
from bot.catalogue import LANGUAGES, plain, t
from bot.dialogues import DialogueState, end_dialogue, save_dialogue
from bot.errors import UserError
from bot.messaging.message import Content
from bot.officers import active_officer, require_officer
from bot.text import fold
from geofence import ZoneError, parse_point

# The steps, in order; each names the field it asks for.
STEPS = ("name", "phone", "birth", "address", "kind", "source", "start", "end", "home", "confirm")
# While correcting one field, these follow it before the summary comes back.
FOLLOWS = {("kind", "source"), ("start", "end"), ("start", "start")}
MAX_DAYS = 60
_DAYS = re.compile(r"(\d+)\s*(?:ngay|days?)?")


class TurnStatus(StrEnum):
    """What came of one answer."""

    ASK = "ask"  # stored: ask the question of the (new) step
    REFUSED = "refused"  # a value that cannot be used: say why, ask again
    UNFIT = "unfit"  # not an answer to this step (a stray text where a choice is expected)
    CANCELLED = "cancelled"
    DONE = "done"  # registered: the enrolment link is issued


@dataclass(frozen=True)
class Turn:
    """The outcome of one answer, and the state to go on from."""

    status: TurnStatus
    state: DialogueState
    error_key: str | None = None
    error_params: Mapping[str, object] = field(default_factory=dict)
    issued: IssuedLink | None = None


@dataclass
class _Answer:
    """One answer being taken: the field values so far, and how the answer came."""

    data: dict[str, Any]
    value: str
    typed: bool
    today: date
    telegram_user_id: int


class RegistrationConversation(Registration):
    """Asks an officer for one case, field by field, then registers it."""

    async def start_registration(self, telegram_user_id: int, chat_id: int) -> DialogueState:
        """Begin /register (only an officer of a commune may) at its first step."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            officer = await active_officer(session, telegram_user_id)
            if officer is None or not policy.is_commune_officer(officer):
                raise UserError("cases.officer_only")
            state = DialogueState(telegram_user_id, chat_id, REGISTER_FLOW, "name", {})
            await save_dialogue(session, state, now)
        return state

    async def answer_registration(
        self, state: DialogueState, value: str, *, typed: bool, bot_username: str
    ) -> Turn:
        """Take one answer: store it and move on, refuse it, cancel, or register the case."""
        answer = _Answer(
            dict(state.data), value.strip(), typed, self.today(), state.telegram_user_id
        )
        step = state.step
        try:
            if answer.typed:
                chosen = self._typed_choice(step, answer.data, answer.value)
                if chosen is not None:
                    answer.value, answer.typed = chosen, False
                elif step == "kind":
                    answer.value, answer.typed = f"kind:{parse_kind(answer.value)}", False
            next_step = await self._take(step, answer)
            if next_step == "done":
                issued = await self.register(
                    state.telegram_user_id, draft_of(answer.data), bot_username
                )
                return Turn(TurnStatus.DONE, state, issued=issued)
        except ZoneError as error:
            return Turn(TurnStatus.REFUSED, state, f"cases.zone.{error.code.removeprefix('zone.')}")
        except UserError as error:
            return Turn(TurnStatus.REFUSED, state, error.key, error.params)
        if next_step is None:
            return Turn(TurnStatus.UNFIT, state)
        if next_step == "cancel":
            async with self._db.transaction() as session:
                await end_dialogue(session, state.telegram_user_id)
            return Turn(TurnStatus.CANCELLED, state)
        data = answer.data
        if (
            data.get("editing")
            and (step, next_step) not in FOLLOWS
            and step not in ("confirm", "edit")
        ):
            next_step = "confirm"  # one field corrected: back to the summary
        if next_step == "confirm":
            data.pop("editing", None)
        new_state = replace(state, step=next_step, data=data)
        async with self._db.transaction() as session:
            await save_dialogue(session, new_state, self._clock.now())
        return Turn(TurnStatus.ASK, new_state)

    def registration_prompt(self, language: str, state: DialogueState) -> list[Content]:
        """What the current step asks, with its choices (the summary shows the home on a map)."""
        step, data = state.step, state.data
        shown: list[Content] = []
        if step == "start" and data.get("start_typed"):
            text = t(language, "register.ask_start_date")
        elif step == "end":
            text = t(language, "register.ask_end", days=self._cases.days_for(data["kind"]))
        elif step in STEPS[:-1] or step == "edit":
            text = t(language, f"register.ask_{step}")
        else:
            if data.get("home"):
                # The pin lets the officer see at a glance whether the link was read right.
                shown.append(home_pin(data["home"]))
            text = summary(language, data)
        shown.append(registration_question(text, self._options(language, step, data)))
        return shown

    def _options(self, language: str, step: str, data: dict[str, Any]) -> list[list[Option]]:
        days = self._cases.days_for(data["kind"]) if step == "end" else 0
        return registration_options(language, step, data, days)

    def _typed_choice(self, step: str, data: dict[str, Any], value: str) -> str | None:
        """The choice a typed text names, in either language ("f0", "hom nay", "14 ngay").

        A label matches whole or up to its brackets, ignoring emoji, case and tone marks.
        """
        wanted = _folded_label(value)
        if not wanted:
            return None
        for language in LANGUAGES:
            for row in self._options(language, step, data):
                for label, choice in row:
                    folded = _folded_label(label)
                    if wanted in (folded, folded.split(" (")[0]):
                        return choice
        return None

    async def _take(self, step: str, answer: _Answer) -> str | None:
        """Store the answer to `step` and say which step comes next (None: not an answer)."""
        take = _TAKERS.get(step)
        if take is None:
            return None
        return await take(self, answer)

    async def _source(self, answer: _Answer) -> str | None:
        if answer.value == "skip" and not answer.typed:
            answer.data["source_code"] = None
        else:
            async with self._db.transaction() as session:
                officer = await require_officer(session, answer.telegram_user_id)
                case = await visible_case(session, officer, answer.value)
            answer.data["source_code"] = normalise_code(case.code)
        return "start"

    async def _end(self, answer: _Answer) -> str | None:
        data, value = answer.data, answer.value
        start = date.fromisoformat(data["start_date"])
        if not answer.typed and value == "end:default":
            end = start + timedelta(days=self._cases.days_for(data["kind"]))
        elif answer.typed and (days_typed := _DAYS.fullmatch(fold(value))):
            days = int(days_typed.group(1))
            if not 1 <= days <= MAX_DAYS:
                raise FieldError("cases.bad_days", limit=MAX_DAYS)
            end = start + timedelta(days=days)
        elif answer.typed:
            end = parse_date(value, answer.today)
            if end <= start:
                raise FieldError("cases.end_before_start")
        else:
            return None
        data["end_date"] = end.isoformat()
        return "home"


# ---- the steps that need nothing but the answer ------------------------------------------


async def _name(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    if not answer.typed:
        return None
    answer.data["full_name"] = parse_name(answer.value)
    return "phone"


async def _phone(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    if not answer.typed:
        return None
    answer.data["phone"] = parse_phone(answer.value)
    return "birth"


async def _birth(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    skipped = answer.value == "skip" and not answer.typed
    answer.data["birth_year"] = None if skipped else parse_birth_year(answer.value, answer.today)
    return "address"


async def _address(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    if not answer.typed:
        return None
    answer.data["address"] = parse_address(answer.value)
    return "kind"


async def _kind(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    if answer.typed or not answer.value.startswith("kind:"):
        return None
    kind = answer.value.removeprefix("kind:")
    if kind not in KINDS:
        return None
    answer.data["kind"] = kind
    if kind != "f1":
        answer.data["source_code"] = None
    return "source" if kind == "f1" else "start"


async def _start(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    value, today = answer.value, answer.today
    if not answer.typed and value == "start:other":
        answer.data["start_typed"] = True
        return "start"
    if not answer.typed and value in ("start:today", "start:tomorrow"):
        start = today if value == "start:today" else today + timedelta(days=1)
    elif answer.typed:
        start = parse_date(value, today)
    else:
        return None
    answer.data.pop("start_typed", None)
    answer.data["start_date"] = start.isoformat()
    return "end"


async def _home(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    if not answer.typed and answer.value == "home:later":
        answer.data["home"] = None
    elif answer.typed:
        lat, lon = parse_point(answer.value)
        answer.data["home"] = [lat, lon]
    else:
        return None
    return "confirm"


async def _confirm(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    if answer.typed:
        return None
    return {"ok": "done", "edit": "edit", "cancel": "cancel"}.get(answer.value)


async def _edit(_seam: RegistrationConversation, answer: _Answer) -> str | None:
    if answer.typed:
        return None
    if answer.value == "back":
        return "confirm"
    chosen = answer.value.removeprefix("edit:")
    if chosen not in EDITABLE:
        return None
    answer.data["editing"] = True
    answer.data.pop("start_typed", None)
    return chosen


_Taker = Callable[[RegistrationConversation, _Answer], Awaitable[str | None]]
_TAKERS: dict[str, _Taker] = {
    "name": _name,
    "phone": _phone,
    "birth": _birth,
    "address": _address,
    "kind": _kind,
    "source": RegistrationConversation._source,
    "start": _start,
    "end": RegistrationConversation._end,
    "home": _home,
    "confirm": _confirm,
    "edit": _edit,
}


def draft_of(data: Mapping[str, Any]) -> CaseDraft:
    """The case the conversation's answers describe."""
    home = data.get("home")
    return CaseDraft(
        full_name=data["full_name"],
        phone=data["phone"],
        birth_year=data.get("birth_year"),
        address=data.get("address", ""),
        kind=data["kind"],
        source_code=data.get("source_code"),
        start_date=date.fromisoformat(data["start_date"]),
        end_date=date.fromisoformat(data["end_date"]),
        home=(home[0], home[1]) if home else None,
    )


def summary(language: str, data: Mapping[str, Any]) -> str:
    """Everything entered, to confirm or correct."""
    start, end = date.fromisoformat(data["start_date"]), date.fromisoformat(data["end_date"])
    unknown = plain(language, "register.unknown")
    source = data.get("source_code")
    home = data.get("home")
    return t(
        language,
        "register.summary",
        name=data["full_name"],
        phone=display_phone(data["phone"]),
        birth=data.get("birth_year") or unknown,
        address=data.get("address") or unknown,
        kind=plain(language, f"cases.kind.{data['kind']}"),
        source=plain(language, "register.source_line", code=source) if source else "",
        start=start.strftime("%d/%m/%Y"),
        end=end.strftime("%d/%m/%Y"),
        days=(end - start).days,
        home=plain(language, "register.home_point", point=format_point(*home))
        if home
        else plain(language, "register.home_later"),
    )


def _folded_label(text: str) -> str:
    return fold(re.sub(r"^\W+", "", text.strip()))
