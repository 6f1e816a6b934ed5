"""Officer glue for alerts: the buttons on an alert, /alerts and /worklist."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.catalogue import plain, t
from bot.digest import render_worklist
from bot.errors import UserError
from handlers.common import reply
from handlers.context import CachlyContext


async def button(update: Update, context: CachlyContext) -> None:
    """Acknowledge / resolve / false alarm: the service re-checks who and what; a toast answers.

    Every copy of the alert (this one included) is edited through the outbox.
    """
    query = update.callback_query
    if query is None or query.data is None or update.effective_user is None:
        return
    try:
        result = await context.services.alerts.act(update.effective_user.id, query.data)
    except UserError as refusal:
        # A forged, stale or foreign button: nothing changed; say so briefly, in place.
        language = await context.language(update)
        await query.answer(plain(language, refusal.key, **refusal.params), show_alert=True)
        return
    await query.answer(plain(result.language, f"alert.done.{result.action}"))


async def list_alerts(update: Update, context: CachlyContext) -> None:
    """/alerts: the open alerts of the officer's commune, most urgent first, with buttons."""
    if update.effective_user is None:
        return
    cards = await context.services.alerts.open_alerts(update.effective_user.id, limit=11)
    language = await context.language(update)
    if not cards:
        await reply(update, t(language, "alerts.none"))
        return
    shown = cards[:10]
    await reply(update, t(language, "alerts.header", count=len(shown)))
    for card in shown:
        markup = (
            InlineKeyboardMarkup.de_json(card.reply_markup, context.bot)
            if card.reply_markup
            else None
        )
        await reply(update, card.text, reply_markup=markup)
    if len(cards) > len(shown):
        await reply(update, t(language, "alerts.more", count=len(cards) - len(shown)))


async def worklist(update: Update, context: CachlyContext) -> None:
    """/worklist: today's prioritised list of whom to call or visit."""
    if update.effective_user is None or update.effective_chat is None:
        return
    work = await context.services.digests.worklist(update.effective_user.id)
    language = await context.language(update)
    await update.effective_chat.send_message(
        render_worklist(language, work),
        parse_mode=ParseMode.HTML,
        disable_web_page_preview=True,
    )
