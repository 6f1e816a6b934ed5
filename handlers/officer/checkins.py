"""Officer commands on check-ins: /times <code> 08:00 17:00 to change a case's times."""

from __future__ import annotations

from telegram import Update

from bot.actions import is_id
from bot.catalogue import t
from bot.checkins import display
from bot.errors import UserError
from bot.text import fold
from handlers.context import CachlyContext
from handlers.reply import drop_choices, reply

# Choice data (see bot.checkins.display.times_choices) is re-checked in the service.
DEFAULT_WORDS = {"mac dinh", "default", "reset"}


async def times_command(update: Update, context: CachlyContext) -> None:
    """/times <code> HH:MM ...: show the change and ask the officer to confirm it."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    language = await context.language(update)
    args = list(context.args or [])
    if len(args) < 2:
        await reply(update, context, t(language, "times.usage"))
        return
    code, rest = args[0], args[1:]
    times = [] if fold(" ".join(rest)) in DEFAULT_WORDS else rest
    preview = await context.services.checkins.times_preview(user.id, code, times)
    await reply(update, context, display.times_confirm(language, preview))


async def times_button(update: Update, context: CachlyContext) -> None:
    """The officer confirms (or not) the new times; the service checks the officer again."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    language = await context.language(update)
    parts = query.data.split(":")
    await query.answer()
    await drop_choices(query)
    if parts[1:2] == ["n"]:
        await reply(update, context, t(language, "times.cancelled"))
        return
    if len(parts) != 4 or parts[1] != "y" or not is_id(parts[2]):
        raise UserError("error.not_understood")
    chosen = display.unpack_times(parts[3])
    done = await context.services.checkins.set_times(user.id, int(parts[2]), chosen)
    await reply(update, context, display.times_done(language, done))
