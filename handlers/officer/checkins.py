"""Officer commands on check-ins: /times <code> 08:00 17:00 to change a case's times."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.catalogue import plain, t
from bot.checkins import times_keyboard, unpack_times
from bot.errors import UserError
from bot.text import fold
from handlers.context import CachlyContext

# Callback data (see bot.checkins.display.times_keyboard) is re-checked in the service.
DEFAULT_WORDS = {"mac dinh", "default", "reset"}


async def times_command(update: Update, context: CachlyContext) -> None:
    """/times <code> HH:MM ...: show the change and ask the officer to confirm it."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    language = await context.language(update)
    args = list(context.args or [])
    if len(args) < 2:
        await chat.send_message(t(language, "times.usage"), parse_mode=ParseMode.HTML)
        return
    code, rest = args[0], args[1:]
    times = [] if fold(" ".join(rest)) in DEFAULT_WORDS else rest
    preview = await context.services.checkins.times_preview(user.id, code, times)
    common = plain(language, "times.default")
    text = t(
        language,
        "times.confirm",
        name=preview.name,
        code=preview.code,
        current=", ".join(preview.current),
        new=", ".join(preview.new) or common,
    )
    markup = InlineKeyboardMarkup.de_json(
        times_keyboard(language, preview.case_id, preview.new), None
    )
    await chat.send_message(text, parse_mode=ParseMode.HTML, reply_markup=markup)


async def times_button(update: Update, context: CachlyContext) -> None:
    """The officer confirms (or not) the new times; the service checks the officer again."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    language = await context.language(update)
    parts = query.data.split(":")
    await query.answer()
    if query.message is not None:
        await query.edit_message_reply_markup(None)
    if parts[1:2] == ["n"]:
        await chat.send_message(t(language, "times.cancelled"), parse_mode=ParseMode.HTML)
        return
    if len(parts) != 4 or parts[1] != "y" or not parts[2].isdigit():
        raise UserError("error.not_understood")
    done = await context.services.checkins.set_times(user.id, int(parts[2]), unpack_times(parts[3]))
    new = ", ".join(done) or plain(language, "times.default")
    await chat.send_message(t(language, "times.done", new=new), parse_mode=ParseMode.HTML)
