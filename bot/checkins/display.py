"""What check-ins say: prompts, questions, reminders, choices and warnings from the catalogue.

Everything here is channel-free content (`bot.messaging.message`): the outbox queues it for
prompts and reminders, the handlers say it as replies, and the renderer makes it Telegram's.
Choices carry `Action` data that the service checks again when it comes back.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.actions import Action
from bot.catalogue import plain, t
from bot.checkins.values import (
    FEELING,
    FEELINGS,
    LOCATION,
    NUMBER_STEPS,
    SPOT,
    SYMPTOMS_STEP,
    LocationResult,
    LocationStatus,
    PersonChoice,
    Question,
    ReplyStatus,
    SosResult,
    SosStatus,
    StepResult,
    StepStatus,
    TimesPreview,
)
from bot.messaging.message import Button, Buttons, Choice, LocationRequest, Text, one_per_row, rows
from bot.triage import SPO2_LOW, SYMPTOMS

# ---- choices ------------------------------------------------------------------------------


def feeling_choices(language: str, checkin_id: int) -> Buttons:
    """The three "how do you feel" buttons of a prompt."""
    labels = ((feel, plain(language, f"checkin.feel.{feel}")) for feel in FEELINGS)
    return one_per_row(
        [Choice(label, Action.CHECKIN.data(checkin_id, "f", feel)) for feel, label in labels]
    )


def symptoms_choices(language: str, checkin_id: int, chosen: Sequence[str]) -> Buttons:
    """Toggle buttons for the symptoms (ticked when chosen), "none" and "done"."""
    buttons: list[Button] = []
    for symptom in SYMPTOMS:
        mark = "✅ " if symptom in chosen else ""
        label = mark + plain(language, f"checkin.symptom.{symptom}")
        buttons.append(Choice(label, Action.CHECKIN.data(checkin_id, "s", symptom)))
    for end in ("none", "done"):
        label = plain(language, f"checkin.symptoms.{end}")
        buttons.append(Choice(label, Action.CHECKIN.data(checkin_id, "s", end)))
    return one_per_row(buttons)


def skip_choice(language: str, checkin_id: int, step: str) -> Buttons:
    """The "I cannot measure this" button of a number question."""
    label = plain(language, f"checkin.skip.{step}")
    return rows([Choice(label, Action.CHECKIN.data(checkin_id, "k", step))])


def location_request(language: str) -> LocationRequest:
    """Send the current location in one tap, or say that it cannot be sent."""
    return LocationRequest(
        plain(language, "checkin.location_button"),
        alternatives=(plain(language, "checkin.location_skip"),),
    )


def people_choices(action: Action, choices: Sequence[PersonChoice]) -> Buttons:
    """One button per person of a shared chat ("who is this about?"); names need no translation."""
    return one_per_row([Choice(c.name, action.data(c.case_id)) for c in choices])


def pack_times(times: Sequence[str]) -> str:
    """Times as choice data: "08:00", "17:30" as "0800.1730"; none (the default) as "d"."""
    return ".".join(moment.replace(":", "") for moment in times) or "d"


def unpack_times(packed: str) -> list[str]:
    """The times of `pack_times` again."""
    if packed == "d":
        return []
    return [f"{moment[:2]}:{moment[2:]}" for moment in packed.split(".")]


def times_choices(language: str, case_id: int, times: Sequence[str]) -> Buttons:
    """The officer's yes/no to a case's new check-in times: tm:y:<case>:<times> or tm:n."""
    yes = Action.TIMES.data("y", case_id, pack_times(times))
    no = Action.TIMES.data("n")
    return rows(
        [Choice(plain(language, "times.yes"), yes), Choice(plain(language, "times.no"), no)]
    )


# ---- prompts and reminders (queued) -------------------------------------------------------


def _for_channel(key: str, channel: str) -> str:
    """The key of a text that says how to share a location, as the person's channel does it."""
    return key if channel == "telegram" else f"{key}.{channel}"


def prompt(
    language: str,
    kind: str,
    name: str,
    checkin_id: int,
    spot_minutes: int,
    channel: str = "telegram",
) -> Text:
    """A round's prompt (how do you feel?) or a spot check's (send your location now)."""
    if kind == SPOT:
        text = t(language, _for_channel("spot.prompt", channel), name=name, minutes=spot_minutes)
        return Text(text, location_request=location_request(language))
    return Text(t(language, "checkin.prompt", name=name), feeling_choices(language, checkin_id))


def reminder(language: str, name: str, checkin_id: int) -> Text:
    """The one reminder of a round not answered yet."""
    return Text(t(language, "checkin.reminder", name=name), feeling_choices(language, checkin_id))


def live_breach(language: str, name: str) -> Text:
    """The person's own notice that their live location left the home zone."""
    return Text(t(language, "location.breach", name=name))


# ---- the questionnaire (replies) ----------------------------------------------------------


def question(asked: Question) -> Text | None:
    """The question a check-in is at, with its buttons (None past the last question)."""
    language, name, cid = asked.language, asked.name, asked.checkin_id
    if asked.step == FEELING:
        return Text(t(language, "checkin.prompt", name=name), feeling_choices(language, cid))
    if asked.step == SYMPTOMS_STEP:
        text = t(language, "checkin.ask_symptoms", name=name)
        return Text(text, symptoms_choices(language, cid, asked.symptoms))
    if asked.step in NUMBER_STEPS:
        value = f"{asked.value:g}" if asked.value is not None else ""
        # Resting after a low first SpO2: the tick asks for the new number when it is time.
        key = "checkin.spo2_rest" if asked.rest_s else f"checkin.ask.{asked.step}"
        text = t(language, key, name=name, value=value, seconds=asked.rest_s)
        return Text(text, skip_choice(language, cid, asked.step))
    if asked.step == LOCATION:
        text = t(language, _for_channel("checkin.ask_location", asked.channel), name=name)
        return Text(text, location_request=location_request(language))
    return None


def retry(language: str, checkin_id: int, measure: str, *, unreadable: bool) -> Text:
    """Ask for a measure again: a form not understood, or a value out of range."""
    if unreadable:
        # Not a form we read: ask for the bare number rather than blame the value.
        example = plain(language, f"checkin.example.{measure}")
        text = t(language, "checkin.not_a_number", example=example)
    else:
        text = t(language, f"checkin.retry.{measure}")
    return Text(text, skip_choice(language, checkin_id, measure))


def rest_more(asked: Question, seconds: int) -> Text:
    """A second SpO2 typed before the rest is over: wait; the first reading is kept."""
    value = f"{asked.value:g}" if asked.value is not None else ""
    text = t(asked.language, "checkin.spo2_wait", seconds=seconds, value=value)
    return Text(text, skip_choice(asked.language, asked.checkin_id, asked.step))


def ended(language: str, key: str, **params: object) -> Text:
    """A last word of the questionnaire (thanks, closed, already done); no location request."""
    return Text(t(language, key, **params), close_request=True)


def pick_person(language: str, choices: Sequence[PersonChoice]) -> Text:
    """/checkin in a shared chat: whose check-in is it?"""
    text = t(language, "checkin.pick_person")
    return Text(text, people_choices(Action.CHECKIN_PERSON, choices))


def _sign_list(language: str, signs: Sequence[str]) -> str:
    # Officers read "SpO2"; the person is told what it is.
    keys = ("checkin.person_sign." if s == SPO2_LOW else "checkin.sign." for s in signs)
    return ", ".join(plain(language, f"{key}{sign}") for key, sign in zip(keys, signs, strict=True))


def danger(language: str, name: str, signs: Sequence[str]) -> Text:
    """The message that tells a person the station has been alerted and to call 115."""
    return Text(t(language, "checkin.danger", name=name, signs=_sign_list(language, signs)))


def step_replies(result: StepResult) -> list[Text]:
    """What to say after an answer: warning signs first, then the next question or thanks."""
    language = result.language
    said = [danger(language, result.name, result.danger)] if result.danger else []
    asked = result.question
    if result.status is StepStatus.RETRY and result.retry is not None and asked is not None:
        said.append(retry(language, asked.checkin_id, result.retry, unreadable=result.unreadable))
    elif result.status is StepStatus.WAIT and asked is not None:
        said.append(rest_more(asked, result.wait_s))
    elif result.status is StepStatus.BUSY:
        said.append(Text(t(language, "checkin.press_a_button")))
    elif result.status is StepStatus.CLOSED:
        said.append(ended(language, "checkin.closed"))
    elif result.status is StepStatus.DONE:
        said.append(ended(language, "checkin.already_done"))
    elif result.finished:
        said.append(ended(language, "checkin.thanks", name=result.name))
    elif asked is not None:
        shown = question(asked)
        said.extend([shown] if shown is not None else [])
    return said


# ---- locations ----------------------------------------------------------------------------


def location_reply(result: LocationResult) -> Text | None:
    """What to tell the person about a location message (None: nothing to say)."""
    language = result.language
    if result.status is LocationStatus.NOT_A_CASE:
        return Text(t(language, "checkin.not_a_case"))
    if result.status is LocationStatus.WHICH_PERSON:
        text = t(language, "location.which_person")
        return Text(text, people_choices(Action.WHERE, result.choices))
    if result.status is LocationStatus.EXPIRED:
        return Text(t(language, "location.expired"))
    parts: list[str] = []
    finished = False
    for reply in result.replies:
        if reply.status is ReplyStatus.REJECTED and reply.rejection_key is not None:
            parts.append(t(language, reply.rejection_key, **reply.rejection_params))
        elif reply.status is ReplyStatus.OUTSIDE:
            # One message: the check-in is recorded, and go home; no "get well" after it.
            key = "location.outside_checkin" if reply.finished else "location.outside"
            parts.append(t(language, key, name=reply.name, distance=reply.distance_m))
            finished = finished or reply.finished
            continue
        elif reply.status is ReplyStatus.LIVE:
            parts.append(t(language, "location.live_noted", name=reply.name))
        else:
            parts.append(t(language, f"location.{reply.status}", name=reply.name))
        if reply.finished:
            finished = True
            parts.append(t(language, "checkin.thanks", name=reply.name))
    if not parts:
        return None
    return Text("\n\n".join(parts), close_request=finished and not result.keep_asking)


# ---- /sos and /times ----------------------------------------------------------------------


def sos_household(language: str, choices: Sequence[PersonChoice]) -> Text:
    """/sos in a shared chat: the alert is raised; whose emergency is it?"""
    return Text(t(language, "sos.sent_household"), people_choices(Action.SOS, choices))


def sos_reply(result: SosResult) -> Text:
    """What /sos (or a name pressed after it) tells the person."""
    language = result.language
    if result.status is SosStatus.NOT_A_CASE:
        return Text(t(language, "sos.not_a_case"))
    if result.status is SosStatus.CHOOSE:
        # The alert is already raised for the household; the name only tells who it is.
        return sos_household(language, result.choices)
    if result.status is SosStatus.NAMED:
        return Text(t(language, "sos.named", name=result.name))
    return Text(t(language, "sos.sent", name=result.name))


def times_confirm(language: str, preview: TimesPreview) -> Text:
    """The officer's /times: the change, and yes or no."""
    text = t(
        language,
        "times.confirm",
        name=preview.name,
        code=preview.code,
        current=", ".join(preview.current),
        new=", ".join(preview.new) or plain(language, "times.default"),
    )
    return Text(text, times_choices(language, preview.case_id, preview.new))


def times_done(language: str, done: Sequence[str]) -> Text:
    """The new times are set (none: the default times of the case's kind)."""
    return Text(t(language, "times.done", new=", ".join(done) or plain(language, "times.default")))
