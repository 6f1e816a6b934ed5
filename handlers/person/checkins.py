"""Check-ins from the person's side: prompt buttons, the questionnaire, locations, /sos."""

from __future__ import annotations

from datetime import timedelta

from telegram import Message, Update

from bot.actions import Action, is_id
from bot.catalogue import plain, t
from bot.checkins import (
    FLOW,
    SYMPTOMS_STEP,
    WHERE_FLOW,
    LocationInput,
    LocationResult,
    LocationStatus,
    Question,
    SosStatus,
    StartStatus,
    StepResult,
    StepStatus,
    display,
)
from bot.dialogues import DialogueState
from geofence import fix_problem
from handlers import dialogue
from handlers.context import CachlyContext
from handlers.dialogue import flow, unsolicited
from handlers.person import enrolment
from handlers.reply import drop_choices, edit, reply


async def ask(update: Update, context: CachlyContext, question: Question) -> None:
    """Send the question a check-in is at, with its buttons."""
    asked = display.question(question)
    if asked is not None:
        await reply(update, context, asked)


async def _answer(update: Update, context: CachlyContext, result: StepResult) -> None:
    """Tell the person about warning signs first, then ask the next question or thank."""
    for said in display.step_replies(result):
        await reply(update, context, said)


async def checkin_command(update: Update, context: CachlyContext) -> None:
    """/checkin: answer now (the open check-in, the next round early, or an extra one)."""
    await _start(update, context, None)


async def pick_person(update: Update, context: CachlyContext) -> None:
    """A name button of /checkin in a chat shared by several people."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    await _start(update, context, int(query.data.removeprefix(Action.CHECKIN_PERSON)))


async def _start(update: Update, context: CachlyContext, case_id: int | None) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    result = await context.services.checkins.start(chat.id, user.id, case_id)
    if result.status is StartStatus.NOT_A_CASE:
        # Someone who opened their link but has not agreed yet is shown how to agree.
        if not await enrolment.offer_pending_consent(update, context):
            await reply(update, context, t(result.language, "checkin.not_a_case"))
    elif result.status is StartStatus.CHOOSE:
        await reply(update, context, display.pick_person(result.language, result.choices))
    elif result.question is not None:
        await ask(update, context, result.question)


async def button(update: Update, context: CachlyContext) -> None:
    """A check-in button: ci:<id>:<f|s|k>:<value>, re-checked in the service."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    parts = query.data.split(":")
    if len(parts) != 4 or not is_id(parts[1]):
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
        ticked = display.question(question)
        if ticked is not None:
            await edit(query, context, ticked)
        if result.danger:
            await reply(update, context, display.danger(language, result.name, result.danger))
        return
    # The step is answered: its buttons go, so an old tap cannot be mistaken for a new one.
    await drop_choices(query)
    await _answer(update, context, result)


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
    await _answer(update, context, result)


@unsolicited
async def typed_first_answer(update: Update, context: CachlyContext) -> None:
    """Text outside any conversation: a prompt's first button typed rather than pressed."""
    user, chat, message = update.effective_user, update.effective_chat, update.effective_message
    if user is None or chat is None or message is None:
        return
    # Not understood (the error handler says so) unless it answers a waiting prompt.
    result = await context.services.checkins.answer_text(chat.id, user.id, message.text or "")
    await _answer(update, context, result)


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
    if fix_problem(given.lat, given.lon, given.accuracy_m) is not None:
        # No phone reports such a position: say so plainly and ask for it again.
        language = await context.language(update)
        await reply(update, context, t(language, "location.rejected.impossible"))
        return
    # The service reads the user's conversation with the cases, in the same query.
    result = await context.services.checkins.location(given)
    if result.status is LocationStatus.OTHER_FLOW:
        # Another conversation asked for this location (e.g. anchoring the home).
        await dialogue.route(update, context)
        return
    await _location_reply(update, context, result)


async def live_edit(update: Update, context: CachlyContext) -> None:
    """An edit of a live location: tracked silently (an alert goes to the station)."""
    message = update.edited_message
    if message is None:
        return
    given = _location_input(message, edited=True)
    # An impossible position in a stream is dropped: the next edit will bring a real one.
    if given is not None and fix_problem(given.lat, given.lon, given.accuracy_m) is None:
        await context.services.checkins.location(given)


async def _location_reply(update: Update, context: CachlyContext, result: LocationResult) -> None:
    said = display.location_reply(result)
    if said is not None:
        await reply(update, context, said)


async def location_pick(update: Update, context: CachlyContext) -> None:
    """A name pressed for a location shared in a household's chat (cw:<case id>)."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    await query.answer()
    case_id = int(query.data.removeprefix(Action.WHERE))
    result = await context.services.checkins.location_for(chat.id, user.id, case_id)
    await drop_choices(query)
    await _location_reply(update, context, result)


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
    await reply(update, context, t(language, "checkin.press_a_button"))


async def sos_command(update: Update, context: CachlyContext) -> None:
    """/sos: the most urgent alert, at once."""
    await _sos(update, context, None)


async def sos_pick(update: Update, context: CachlyContext) -> None:
    """A name button of /sos in a chat shared by several people."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    await _sos(update, context, int(query.data.removeprefix(Action.SOS)))


async def _sos(update: Update, context: CachlyContext, case_id: int | None) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    result = await context.services.checkins.sos(chat.id, case_id)
    query = update.callback_query
    if result.status is SosStatus.NAMED and query is not None and query.message is not None:
        await drop_choices(query)
    await reply(update, context, display.sos_reply(result))
