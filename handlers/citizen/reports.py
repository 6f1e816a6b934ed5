"""/report: anyone tells the commune about a suspected isolation violation, step by step."""

from __future__ import annotations

from telegram import Message, Update

from bot.actions import is_id
from bot.catalogue import LANGUAGES, plain, t
from bot.dialogues import DialogueState
from bot.reports import (
    CANCEL,
    COMMUNE,
    FLOW,
    SEND,
    START_REPORT,
    STEP_COMMUNE,
    STEP_CONFIRM,
    STEP_LOCATION,
    STEP_PHOTO,
    STEP_TEXT,
    Attachment,
    AttachmentKind,
)
from bot.reports import display as report_display
from bot.text import fold
from geofence import ZoneError, parse_point
from handlers.context import CachlyContext
from handlers.dialogue import flow
from handlers.reply import drop_choices, reply

_SKIP_WORDS = frozenset(fold(plain(language, "report.skip")) for language in LANGUAGES)


async def report_command(update: Update, context: CachlyContext) -> None:
    """/report: start a report, or say politely why not now."""
    await _begin(update, context)


async def button(update: Update, context: CachlyContext) -> None:
    """The citizen's inline buttons: start, pick a commune, send, cancel."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    reports = context.services.reports
    language = await context.language(update)
    data = query.data
    if data == START_REPORT:
        await query.answer()
        await _begin(update, context)
    elif data.startswith(COMMUNE) and is_id(data.removeprefix(COMMUNE)):
        draft = await reports.choose_commune(user.id, int(data.removeprefix(COMMUNE)))
        await query.answer()
        await drop_choices(query)
        await reply(update, context, report_display.summary(language, draft))
    elif data == SEND:
        receipt = await reports.submit(user.id)
        await query.answer()
        await drop_choices(query)
        await reply(update, context, report_display.receipt(language, receipt))
    elif data == CANCEL:
        await context.services.dialogues.cancel(user.id)
        await query.answer()
        await drop_choices(query)
        await reply(update, context, report_display.cancelled(language))
    else:
        await query.answer(plain(language, "report.stale_button"))


@flow(FLOW)
async def step(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """A message while writing a report: the text, the photo, the place or the commune."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    reports = context.services.reports
    language = await context.language(update)
    if state.step == STEP_TEXT:
        if message.text:
            await reports.give_text(user.id, message.text)
            await _ask_photo(update, context, language)
        elif message.photo and message.caption:
            # A photo with its description in the caption: both steps at once.
            await reports.give_text(user.id, message.caption)
            await reports.give_photo(user.id, attachment_of(message))
            await reply(update, context, report_display.ask_location(language))
        else:
            await reply(update, context, t(language, "report.text_needed"))
    elif state.step == STEP_PHOTO:
        if message.text and fold(message.text) in _SKIP_WORDS:
            await reports.give_photo(user.id, None)
        else:
            await reports.give_photo(user.id, attachment_of(message))
        await reply(update, context, report_display.ask_location(language))
    elif state.step == STEP_LOCATION:
        await _location_step(update, context, message, language)
    elif state.step == STEP_COMMUNE:
        await _commune_step(update, context, message, language)
    elif state.step == STEP_CONFIRM:
        await reply(update, context, t(language, "report.confirm_expected"))


def attachment_of(message: Message) -> Attachment:
    """What the reporter attached, as the service judges it (photos, documents, the rest)."""
    if message.photo:
        largest = message.photo[-1]
        return Attachment(AttachmentKind.PHOTO, largest.file_id, largest.file_size)
    if message.document:
        document = message.document
        return Attachment(
            AttachmentKind.DOCUMENT, document.file_id, document.file_size, document.mime_type
        )
    return Attachment(AttachmentKind.OTHER)


async def _begin(update: Update, context: CachlyContext) -> None:
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    await context.services.reports.begin(user.id, chat.id)
    language = await context.language(update)
    settings = context.services.settings.reports
    await reply(
        update, context, report_display.ask_text(language, settings.min_length, settings.max_length)
    )


async def _location_step(
    update: Update, context: CachlyContext, message: Message, language: str
) -> None:
    reports = context.services.reports
    user_id = update.effective_user.id if update.effective_user else 0
    if message.location is not None:
        # A venue (a place picked on the map) carries its location too.
        location = message.location
        point = (location.latitude, location.longitude)
        draft = await reports.give_location(user_id, point, location.horizontal_accuracy)
    elif message.text and fold(message.text) in _SKIP_WORDS:
        draft = await reports.give_location(user_id, None, None)
    elif message.text:
        try:
            point = parse_point(message.text)
        except ZoneError:
            await reply(update, context, t(language, "report.location_expected"))
            return
        draft = await reports.give_location(user_id, point, None)
    else:
        await reply(update, context, t(language, "report.location_expected"))
        return
    if draft.step == STEP_CONFIRM:
        await reply(update, context, report_display.summary(language, draft))
    else:
        await reply(update, context, report_display.ask_commune(language, draft.outside_boundaries))


async def _commune_step(
    update: Update, context: CachlyContext, message: Message, language: str
) -> None:
    user_id = update.effective_user.id if update.effective_user else 0
    if not message.text:
        await reply(update, context, t(language, "report.commune_button_expected"))
        return
    communes = await context.services.reports.search_communes(user_id, message.text)
    if not communes:
        await reply(update, context, t(language, "report.no_commune", query=message.text[:60]))
        return
    await reply(update, context, report_display.commune_choices(language, communes))


async def _ask_photo(update: Update, context: CachlyContext, language: str) -> None:
    mb = context.services.settings.reports.max_photo_mb
    await reply(update, context, report_display.ask_photo(language, mb))
