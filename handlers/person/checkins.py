"""Check-ins from the person's side: prompt buttons, the questionnaire, locations, /sos."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ParseMode

from bot.catalogue import Raw, plain, t
from bot.checkins import (
    CALLBACK_PREFIX,
    FEELING,
    FLOW,
    LOCATION,
    NUMBER_STEPS,
    SOS_PREFIX,
    SYMPTOMS_STEP,
    WHERE_FLOW,
    WHERE_PREFIX,
    LocationInput,
    LocationResult,
    LocationStatus,
    Question,
    ReplyStatus,
    SosStatus,
    StartStatus,
    StepResult,
    StepStatus,
    feeling_keyboard,
    location_keyboard,
    people_keyboard,
    render_danger,
    skip_keyboard,
    symptoms_keyboard,
)
from bot.dialogues import DialogueState
from handlers import dialogue
from handlers.context import CachlyContext
from handlers.dialogue import flow, unsolicited
from handlers.person import enrolment


def _inline(markup: dict[str, Any]) -> InlineKeyboardMarkup:
    keyboard = InlineKeyboardMarkup.de_json(markup, None)
    assert keyboard is not None
    return keyboard


def _reply_keyboard(markup: dict[str, Any]) -> ReplyKeyboardMarkup:
    keyboard = ReplyKeyboardMarkup.de_json(markup, None)
    assert keyboard is not None
    return keyboard


async def _send(update: Update, text: str, markup: object = None) -> Message | None:
    chat = update.effective_chat
    if chat is None:
        return None
    return await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)  # type: ignore[arg-type]


async def ask(update: Update, question: Question) -> None:
    """Send the question a check-in is at, with its buttons."""
    language, name, cid = question.language, question.name, question.checkin_id
    if question.step == FEELING:
        text = t(language, "checkin.prompt", name=name)
        await _send(update, text, _inline(feeling_keyboard(language, cid)))
    elif question.step == SYMPTOMS_STEP:
        text = t(language, "checkin.ask_symptoms", name=name)
        await _send(update, text, _inline(symptoms_keyboard(language, cid, question.symptoms)))
    elif question.step in NUMBER_STEPS:
        value = f"{question.value:g}" if question.value is not None else ""
        text = t(language, f"checkin.ask.{question.step}", name=name, value=value)
        await _send(update, text, _inline(skip_keyboard(language, cid, question.step)))
    elif question.step == LOCATION:
        text = t(language, "checkin.ask_location", name=name)
        await _send(update, text, _reply_keyboard(location_keyboard(language)))


async def _answer(update: Update, result: StepResult) -> None:
    """Tell the person about warning signs first, then ask the next question or thank."""
    language = result.language
    if result.danger:
        await _send(update, render_danger(language, result.name, result.danger))
    if (
        result.status is StepStatus.RETRY
        and result.retry is not None
        and result.question is not None
    ):
        markup = _inline(skip_keyboard(language, result.question.checkin_id, result.retry))
        if result.unreadable:
            # Not a form we read: ask for the bare number rather than blame the value.
            example = plain(language, f"checkin.example.{result.retry}")
            await _send(update, t(language, "checkin.not_a_number", example=example), markup)
        else:
            await _send(update, t(language, f"checkin.retry.{result.retry}"), markup)
    elif result.status is StepStatus.RETRY and result.question is not None:
        await ask(update, result.question)
    elif result.status is StepStatus.BUSY:
        await _send(update, t(language, "checkin.press_a_button"))
    elif result.status is StepStatus.CLOSED:
        await _send(update, t(language, "checkin.closed"), ReplyKeyboardRemove())
    elif result.status is StepStatus.DONE:
        await _send(update, t(language, "checkin.already_done"), ReplyKeyboardRemove())
    elif result.finished:
        await _send(update, t(language, "checkin.thanks", name=result.name), ReplyKeyboardRemove())
    elif result.question is not None:
        await ask(update, result.question)


async def checkin_command(update: Update, context: CachlyContext) -> None:
    """/checkin: answer now (the open check-in, the next round early, or an extra one)."""
    await _start(update, context, None)


async def pick_person(update: Update, context: CachlyContext) -> None:
    """A name button of /checkin in a chat shared by several people."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    await _start(update, context, int(query.data.removeprefix(f"{CALLBACK_PREFIX}p:")))


async def _start(update: Update, context: CachlyContext, case_id: int | None) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    result = await context.services.checkins.start(chat.id, user.id, case_id)
    if result.status is StartStatus.NOT_A_CASE:
        # Someone who opened their link but has not agreed yet is shown how to agree.
        if not await enrolment.offer_pending_consent(update, context):
            await _send(update, t(result.language, "checkin.not_a_case"))
    elif result.status is StartStatus.CHOOSE:
        markup = _inline(people_keyboard(f"{CALLBACK_PREFIX}p:", result.choices))
        await _send(update, t(result.language, "checkin.pick_person"), markup)
    elif result.question is not None:
        await ask(update, result.question)


async def button(update: Update, context: CachlyContext) -> None:
    """A check-in button: ci:<id>:<f|s|k>:<value>, re-checked in the service."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    parts = query.data.split(":")
    if len(parts) != 4 or not parts[1].isdigit():
        await query.answer()
        return
    _, checkin_id, action, value = parts
    result = await context.services.checkins.answer_button(
        chat.id, user.id, int(checkin_id), action, value
    )
    language = result.language
    if result.status is StepStatus.CLOSED:
        await query.answer(plain(language, "checkin.closed"), show_alert=True)
        return
    if result.status in (StepStatus.DONE, StepStatus.BUSY):
        await query.answer(plain(language, "checkin.already_done"))
        return
    await query.answer()
    question = result.question
    if action == "s" and question is not None and question.step == SYMPTOMS_STEP:
        # A symptom toggled: tick it on the same message, then warn if it is a danger sign.
        markup = symptoms_keyboard(language, question.checkin_id, question.symptoms)
        await query.edit_message_reply_markup(_inline(markup))
        if result.danger:
            await _send(update, render_danger(language, result.name, result.danger))
        return
    # The step is answered: its buttons go, so an old tap cannot be mistaken for a new one.
    if query.message is not None:
        await query.edit_message_reply_markup(None)
    await _answer(update, result)


@flow(FLOW)
async def typed_answer(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """A typed number (or "I cannot send my location") in the check-in conversation."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    if message.location is not None:
        await location(update, context)
        return
    result = await context.services.checkins.answer_text(chat.id, user.id, message.text or "")
    await _answer(update, result)


@unsolicited
async def typed_first_answer(update: Update, context: CachlyContext) -> None:
    """Text outside any conversation: a prompt's first button typed rather than pressed."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    # Not understood (the error handler says so) unless it answers a waiting prompt.
    result = await context.services.checkins.answer_text(chat.id, user.id, message.text or "")
    await _answer(update, result)


def _location_input(message: Message, edited: bool) -> LocationInput | None:
    place = message.location
    if place is None or message.chat is None:
        return None
    when = message.edit_date if edited and message.edit_date is not None else message.date
    # PTB 22 deprecates the int form of live_period; the private value avoids the warning.
    period = getattr(place, "_live_period", None)
    if isinstance(period, timedelta):
        period = int(period.total_seconds())
    return LocationInput(
        chat_id=message.chat.id,
        user_id=message.from_user.id if message.from_user else message.chat.id,
        message_id=message.message_id,
        lat=place.latitude,
        lon=place.longitude,
        accuracy_m=place.horizontal_accuracy,
        date=when,
        live_period=period,
        forwarded=message.forward_origin is not None,
        venue=message.venue is not None,
        edited=edited,
    )


async def location(update: Update, context: CachlyContext) -> None:
    """A location message: the check-in's location, or a location shared on its own."""
    message = update.message
    if message is None:
        return
    given = _location_input(message, edited=False)
    if given is None:
        return
    # The service reads the user's conversation with the cases, in the same query.
    result = await context.services.checkins.location(given)
    if result.status is LocationStatus.OTHER_FLOW:
        # Another conversation asked for this location (e.g. anchoring the home).
        await dialogue.route(update, context)
        return
    await _location_reply(update, result)


async def live_edit(update: Update, context: CachlyContext) -> None:
    """An edit of a live location: tracked silently (an alert goes to the station)."""
    message = update.edited_message
    if message is None:
        return
    given = _location_input(message, edited=True)
    if given is not None:
        await context.services.checkins.location(given)


async def _location_reply(update: Update, result: LocationResult) -> None:
    language = result.language
    if result.status is LocationStatus.NOT_A_CASE:
        await _send(update, t(language, "checkin.not_a_case"))
        return
    if result.status is LocationStatus.WHICH_PERSON:
        markup = _inline(people_keyboard(WHERE_PREFIX, result.choices))
        await _send(update, t(language, "location.which_person"), markup)
        return
    if result.status is LocationStatus.EXPIRED:
        await _send(update, t(language, "location.expired"))
        return
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
        return
    removal = ReplyKeyboardRemove() if finished and not result.keep_asking else None
    await _send(update, Raw("\n\n".join(parts)), removal)


async def location_pick(update: Update, context: CachlyContext) -> None:
    """A name pressed for a location shared in a household's chat (cw:<case id>)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    await query.answer()
    case_id = int(query.data.removeprefix(WHERE_PREFIX))
    result = await context.services.checkins.location_for(chat.id, user.id, case_id)
    if query.message is not None:
        await query.edit_message_reply_markup(None)
    await _location_reply(update, result)


@flow(WHERE_FLOW)
async def while_choosing(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """Anything but a name while "whose location?" is open: a new location, or a pointer."""
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if message.location is not None:
        await location(update, context)
        return
    language = await context.language(update)
    await _send(update, t(language, "checkin.press_a_button"))


async def sos_command(update: Update, context: CachlyContext) -> None:
    """/sos: the most urgent alert, at once."""
    await _sos(update, context, None)


async def sos_pick(update: Update, context: CachlyContext) -> None:
    """A name button of /sos in a chat shared by several people."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    await _sos(update, context, int(query.data.removeprefix(SOS_PREFIX)))


async def _sos(update: Update, context: CachlyContext, case_id: int | None) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    result = await context.services.checkins.sos(chat.id, case_id)
    if result.status is SosStatus.NOT_A_CASE:
        await _send(update, t(result.language, "sos.not_a_case"))
    elif result.status is SosStatus.CHOOSE:
        # The alert is already raised for the household; the name only tells who it is.
        markup = _inline(people_keyboard(SOS_PREFIX, result.choices))
        await _send(update, t(result.language, "sos.sent_household"), markup)
    elif result.status is SosStatus.NAMED:
        query = update.callback_query
        if query is not None and query.message is not None:
            await query.edit_message_reply_markup(None)
        await _send(update, t(result.language, "sos.named", name=result.name))
    else:
        await _send(update, t(result.language, "sos.sent", name=result.name))
