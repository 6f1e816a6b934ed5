"""Handlers everyone reaches: /start, /help, /language, fallbacks and the error handler."""

from __future__ import annotations

import logging

from telegram import Message, Update

from bot.actions import Action
from bot.cases import ENROL_PREFIX
from bot.catalogue import LANGUAGES, t
from bot.errors import UserError
from bot.greeting import language_choice, welcome
from bot.officers import INVITATION_PREFIX
from handlers.buttons import is_private
from handlers.context import CachlyContext
from handlers.menus import set_officer_commands
from handlers.officer import onboarding
from handlers.person import enrolment
from handlers.reply import edit, reply

logger = logging.getLogger(__name__)


async def start(update: Update, context: CachlyContext) -> None:
    """/start, with or without a deep-link code."""
    payload = context.args[0] if context.args else ""
    if payload.startswith(INVITATION_PREFIX):
        await onboarding.redeem_invitation(update, context, payload)
        return
    if payload.startswith(ENROL_PREFIX):
        await enrolment.open_link(update, context, payload)
        return
    await reply(update, context, welcome(await context.language(update)))


async def help_command(update: Update, context: CachlyContext) -> None:
    """/help: the commands this user may use."""
    language = await context.language(update)
    text = t(language, "help.everyone")
    if update.effective_user is not None:
        me = await context.services.officers.whoami(update.effective_user.id)
        if me is not None:
            text = t(language, "help.officer")
    await reply(update, context, text)


async def language(update: Update, context: CachlyContext) -> None:
    """/language: offer the two languages as buttons."""
    await reply(update, context, language_choice(await context.language(update)))


async def language_chosen(update: Update, context: CachlyContext) -> None:
    """A language button: store the choice and confirm in the new language."""
    query = update.callback_query
    if query is None or query.data is None or update.effective_user is None:
        return
    chosen = query.data.removeprefix(Action.LANGUAGE)
    if chosen not in LANGUAGES:
        await query.answer()
        return
    await context.services.preferences.set_language(update.effective_user.id, chosen)
    await query.answer()
    await edit(query, context, t(chosen, "language.set"))
    me = await context.services.officers.whoami(update.effective_user.id)
    if me is not None:
        await set_officer_commands(context.bot, context.services, me)


async def unknown_command(update: Update, context: CachlyContext) -> None:
    """Any command no handler took."""
    await reply(update, context, t(await context.language(update), "error.unknown_command"))


# What a message may carry, in the order its kind is told (the first one present).
_MESSAGE_PARTS = (
    "location",
    "venue",
    "contact",
    "document",
    "photo",
    "sticker",
    "voice",
    "video",
    "animation",
    "audio",
    "text",
    "caption",
)


def update_kind(update: Update) -> str:
    """What an update is, for a log line: its type and content kinds, never its content."""
    query = update.callback_query
    if query is not None:
        action = next((a for a in Action if (query.data or "").startswith(a)), None)
        return f"callback_query {action.name.lower() if action else 'unknown'}"
    message = update.effective_message
    if not isinstance(message, Message):
        return "other"
    kind = next((part for part in _MESSAGE_PARTS if getattr(message, part, None)), "other")
    command = (message.text or "").split(maxsplit=1)[0] if kind == "text" else ""
    if command.startswith("/") and command[1:].replace("_", "").isalnum() and len(command) < 33:
        kind = f"command {command.split('@')[0]}"
    which = "edited_message" if update.edited_message is not None else "message"
    return f"{which} {kind}"


async def log_update(update: Update, context: CachlyContext) -> None:
    """At DEBUG, one line per update: its id, kind, chat type and the ids involved."""
    if logger.isEnabledFor(logging.DEBUG):
        chat, user = update.effective_chat, update.effective_user
        logger.debug(
            "update %s: %s, chat %s (%s), user %s",
            update.update_id,
            update_kind(update),
            chat.id if chat else None,
            chat.type if chat else None,
            user.id if user else None,
        )


async def error_handler(update: object, context: CachlyContext) -> None:
    """Log the failure first, then answer the user: their refusal, or a short apology."""
    error = context.error
    update_id = update.update_id if isinstance(update, Update) else None
    if isinstance(error, UserError):
        # A refusal the service chose to give: the unit of work is already rolled back.
        logger.info("update %s refused: %s", update_id, error.key)
    else:
        # Only ids: the update itself holds names, phone numbers and coordinates.
        logger.error("update %s failed", update_id, exc_info=error)
    # Never a word into a group or channel; a press was answered by `buttons.answered`.
    if not isinstance(update, Update) or not is_private(update):
        return
    try:
        language = await context.language(update)
        if isinstance(error, UserError):
            text = t(language, error.key, **error.params)
        else:
            text = t(language, "error.sorry")
        await reply(update, context, text)
    except Exception:
        logger.exception("could not tell the user about the failure of update %s", update_id)
