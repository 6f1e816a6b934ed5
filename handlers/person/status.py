"""/status: a person's day of isolation, end date and next check-in."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ParseMode

from bot.cases import ACTIVE, HOME_SET
from bot.catalogue import plain, t
from handlers.context import CachlyContext
from handlers.person.enrolment import offer_pending_consent


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
            await chat.send_message(t(language, "status.none"), parse_mode=ParseMode.HTML)
        return
    tz = context.services.settings.schedule.tz
    parts = []
    for item in statuses:
        if item.status != ACTIVE:
            parts.append(t(language, "status.hospitalized", name=item.full_name))
            continue
        upcoming = (
            item.next_checkin.astimezone(tz).strftime("%H:%M %d/%m")
            if item.next_checkin
            else plain(language, "status.next_unknown")
        )
        text = t(
            language,
            "status.line",
            name=item.full_name,
            day=item.day,
            total=item.total_days,
            end=item.end_date.strftime("%d/%m/%Y"),
            next=upcoming,
        )
        if item.home_status != HOME_SET:
            text += "\n" + t(language, "status.home_not_set")
        parts.append(text)
    await chat.send_message("\n\n".join(parts), parse_mode=ParseMode.HTML)
