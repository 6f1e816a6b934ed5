"""/report: anyone tells the commune about a suspected isolation violation, step by step."""

from __future__ import annotations

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)

from bot.catalogue import LANGUAGES, plain, t
from bot.dialogues import DialogueState
from bot.reports import (
    CITIZEN_PREFIX,
    FLOW,
    START_REPORT,
    STEP_COMMUNE,
    STEP_CONFIRM,
    STEP_LOCATION,
    STEP_PHOTO,
    STEP_TEXT,
    Attachment,
    AttachmentKind,
    Draft,
)
from bot.text import fold
from geofence import ZoneError, parse_point
from handlers.common import reply
from handlers.context import CachlyContext
from handlers.dialogue import flow

# Callback data of the citizen's buttons (the /start button, commune picks, send, cancel).
SEND = f"{CITIZEN_PREFIX}send"
CANCEL = f"{CITIZEN_PREFIX}x"
COMMUNE = f"{CITIZEN_PREFIX}c:"
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
    elif data.startswith(COMMUNE) and data.removeprefix(COMMUNE).isdigit():
        draft = await reports.choose_commune(user.id, int(data.removeprefix(COMMUNE)))
        await query.answer()
        await query.edit_message_reply_markup(None)
        await _summary(update, language, draft)
    elif data == SEND:
        receipt = await reports.submit(user.id)
        await query.answer()
        await query.edit_message_reply_markup(None)
        key = "report.receipt_merged" if receipt.merged else "report.receipt"
        text = t(language, key, reference=receipt.reference, commune=receipt.commune_name)
        await reply(update, text, reply_markup=ReplyKeyboardRemove())
    elif data == CANCEL:
        await context.services.dialogues.cancel(user.id)
        await query.answer()
        await query.edit_message_reply_markup(None)
        await reply(update, t(language, "dialogue.cancelled"), reply_markup=ReplyKeyboardRemove())
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
            await _ask_location(update, language)
        else:
            await reply(update, t(language, "report.text_needed"))
    elif state.step == STEP_PHOTO:
        if message.text and fold(message.text) in _SKIP_WORDS:
            await reports.give_photo(user.id, None)
        else:
            await reports.give_photo(user.id, attachment_of(message))
        await _ask_location(update, language)
    elif state.step == STEP_LOCATION:
        await _location_step(update, context, message, language)
    elif state.step == STEP_COMMUNE:
        await _commune_step(update, context, message, language)
    elif state.step == STEP_CONFIRM:
        await reply(update, t(language, "report.confirm_expected"))


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
    text = t(language, "report.ask_text", min=settings.min_length, max=settings.max_length)
    await reply(update, text, reply_markup=ReplyKeyboardRemove())


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
            await reply(update, t(language, "report.location_expected"))
            return
        draft = await reports.give_location(user_id, point, None)
    else:
        await reply(update, t(language, "report.location_expected"))
        return
    if draft.step == STEP_CONFIRM:
        await _summary(update, language, draft)
    else:
        key = "report.ask_commune_outside" if draft.outside_boundaries else "report.ask_commune"
        await reply(update, t(language, key), reply_markup=ReplyKeyboardRemove())


async def _commune_step(
    update: Update, context: CachlyContext, message: Message, language: str
) -> None:
    user_id = update.effective_user.id if update.effective_user else 0
    if not message.text:
        await reply(update, t(language, "report.commune_button_expected"))
        return
    communes = await context.services.reports.search_communes(user_id, message.text)
    if not communes:
        await reply(update, t(language, "report.no_commune", query=message.text[:60]))
        return
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.name, callback_data=f"{COMMUNE}{c.code}")] for c in communes]
    )
    await reply(update, t(language, "report.commune_choices"), reply_markup=keyboard)


async def _ask_photo(update: Update, context: CachlyContext, language: str) -> None:
    skip = plain(language, "report.skip")
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(skip)]], resize_keyboard=True, one_time_keyboard=True
    )
    mb = context.services.settings.reports.max_photo_mb
    await reply(update, t(language, "report.ask_photo", mb=mb, skip=skip), reply_markup=keyboard)


async def _ask_location(update: Update, language: str) -> None:
    skip = plain(language, "report.skip")
    share = plain(language, "report.send_location")
    keyboard = ReplyKeyboardMarkup(
        [[KeyboardButton(share, request_location=True)], [KeyboardButton(skip)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    text = t(language, "report.ask_location", button=share, skip=skip)
    await reply(update, text, reply_markup=keyboard)


async def _summary(update: Update, language: str, draft: Draft) -> None:
    yes, no = plain(language, "report.yes"), plain(language, "report.no")
    text = t(
        language,
        "report.summary",
        text=draft.text,
        photo=yes if draft.has_photo else no,
        location=yes if draft.has_location else no,
        commune=draft.commune_name or "",
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(plain(language, "report.button.send"), callback_data=SEND),
                InlineKeyboardButton(plain(language, "report.button.cancel"), callback_data=CANCEL),
            ]
        ]
    )
    await reply(update, text, reply_markup=keyboard)
