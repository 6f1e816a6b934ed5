"""What check-ins show: prompts, reminders, keyboards and warnings from the catalogue.

Keyboards are plain Bot API dicts, shared by prompts in the outbox and direct replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.catalogue import plain, t
from bot.checkins.values import FEELINGS, SPOT, TIMES_PREFIX, PersonChoice
from bot.messaging.outbox import callback_button, inline_keyboard
from bot.triage import SPO2_LOW, SYMPTOMS


def feeling_keyboard(language: str, checkin_id: int) -> dict[str, Any]:
    """The three "how do you feel" buttons of a prompt."""
    return inline_keyboard(
        [
            [callback_button(plain(language, f"checkin.feel.{feel}"), f"ci:{checkin_id}:f:{feel}")]
            for feel in FEELINGS
        ]
    )


def symptoms_keyboard(language: str, checkin_id: int, chosen: Sequence[str]) -> dict[str, Any]:
    """Toggle buttons for the symptoms (ticked when chosen), "none" and "done"."""
    rows = []
    for symptom in SYMPTOMS:
        mark = "✅ " if symptom in chosen else ""
        label = mark + plain(language, f"checkin.symptom.{symptom}")
        rows.append([callback_button(label, f"ci:{checkin_id}:s:{symptom}")])
    rows.append(
        [callback_button(plain(language, "checkin.symptoms.none"), f"ci:{checkin_id}:s:none")]
    )
    rows.append(
        [callback_button(plain(language, "checkin.symptoms.done"), f"ci:{checkin_id}:s:done")]
    )
    return inline_keyboard(rows)


def skip_keyboard(language: str, checkin_id: int, step: str) -> dict[str, Any]:
    """The "I cannot measure this" button of a number question."""
    return inline_keyboard(
        [[callback_button(plain(language, f"checkin.skip.{step}"), f"ci:{checkin_id}:k:{step}")]]
    )


def location_keyboard(language: str) -> dict[str, Any]:
    """A reply keyboard whose first button sends the current location in one tap."""
    return {
        "keyboard": [
            [{"text": plain(language, "checkin.location_button"), "request_location": True}],
            [{"text": plain(language, "checkin.location_skip")}],
        ],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


def people_keyboard(prefix: str, choices: Sequence[PersonChoice]) -> dict[str, Any]:
    """One button per person of a shared chat ("who is this about?"); names need no translation."""
    return inline_keyboard([[callback_button(c.name, f"{prefix}{c.case_id}")] for c in choices])


def pack_times(times: Sequence[str]) -> str:
    """Times as callback data: "08:00", "17:30" as "0800.1730"; none (the default) as "d"."""
    return ".".join(moment.replace(":", "") for moment in times) or "d"


def unpack_times(packed: str) -> list[str]:
    """The times of `pack_times` again."""
    if packed == "d":
        return []
    return [f"{moment[:2]}:{moment[2:]}" for moment in packed.split(".")]


def times_keyboard(language: str, case_id: int, times: Sequence[str]) -> dict[str, Any]:
    """The officer's yes/no to a case's new check-in times."""
    yes = f"{TIMES_PREFIX}y:{case_id}:{pack_times(times)}"
    return inline_keyboard(
        [
            [
                callback_button(plain(language, "times.yes"), yes),
                callback_button(plain(language, "times.no"), f"{TIMES_PREFIX}n"),
            ]
        ]
    )


def prompt(
    language: str, kind: str, name: str, checkin_id: int, spot_minutes: int
) -> tuple[str, dict[str, Any]]:
    """A round's prompt (how do you feel?) or a spot check's (send your location now)."""
    if kind == SPOT:
        text = t(language, "spot.prompt", name=name, minutes=spot_minutes)
        return text, location_keyboard(language)
    return t(language, "checkin.prompt", name=name), feeling_keyboard(language, checkin_id)


def reminder(language: str, name: str, checkin_id: int) -> tuple[str, dict[str, Any]]:
    """The one reminder of a round not answered yet."""
    return t(language, "checkin.reminder", name=name), feeling_keyboard(language, checkin_id)


def live_breach(language: str, name: str) -> str:
    """The person's own notice that their live location left the home zone."""
    return t(language, "location.breach", name=name)


def _sign_list(language: str, signs: Sequence[str]) -> str:
    # Officers read "SpO2"; the person is told what it is.
    keys = ("checkin.person_sign." if s == SPO2_LOW else "checkin.sign." for s in signs)
    return ", ".join(plain(language, f"{key}{sign}") for key, sign in zip(keys, signs, strict=True))


def render_danger(language: str, name: str, signs: Sequence[str]) -> str:
    """The message that tells a person the station has been alerted and to call 115."""
    return t(language, "checkin.danger", name=name, signs=_sign_list(language, signs))
