"""/status: a person's day of isolation, end date and next check-in."""

from __future__ import annotations

from telegram import Update

from bot.cases.display import status_text
from bot.catalogue import t
from handlers.context import CachlyContext
from handlers.person.enrolment import offer_pending_consent
from handlers.reply import reply


async def status(update: Update, context: CachlyContext) -> None:
    """Every case bound to this chat (a household sharing one phone), one paragraph each."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    language = await context.language(update)
    statuses = await context.services.cases.person_status(user.id, chat.id)
    if not statuses:
        # Someone who refused (or never answered) is told how to agree, not "not enrolled".
        if not await offer_pending_consent(update, context):
            await reply(update, context, t(language, "status.none"))
        return
    tz = context.services.settings.schedule.tz
    await reply(update, context, status_text(language, statuses, tz))
