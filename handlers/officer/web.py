"""Officer glue for the web desk: /web answers with a one-time sign-in link."""

from __future__ import annotations

from telegram import Update

from bot.catalogue import t
from handlers.context import CachlyContext
from handlers.reply import reply


async def web_link(update: Update, context: CachlyContext) -> None:
    """/web: a single-use sign-in link, valid a few minutes (refused to non-officers)."""
    user = update.effective_user
    if user is None or update.effective_chat is None:
        return
    link = await context.services.signins.issue(user.id)
    language = await context.language(update)
    minutes = context.services.settings.web.signin_minutes
    await reply(update, context, t(language, "web.link", minutes=minutes, url=link.url))
