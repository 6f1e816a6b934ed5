"""Officer glue for alerts: the buttons on an alert, /alerts and /worklist."""

from __future__ import annotations

from telegram import Update

from bot.catalogue import plain, t
from bot.digest import render_worklist
from bot.errors import UserError
from bot.messaging.message import Text
from handlers.context import CachlyContext
from handlers.reply import reply


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
        await reply(update, context, t(language, "alerts.none"))
        return
    shown = cards[:10]
    await reply(update, context, t(language, "alerts.header", count=len(shown)))
    for card in shown:
        await reply(update, context, card)
    if len(cards) > len(shown):
        await reply(update, context, t(language, "alerts.more", count=len(cards) - len(shown)))


async def worklist(update: Update, context: CachlyContext) -> None:
    """/worklist: today's prioritised list of whom to call or visit."""
    if update.effective_user is None:
        return
    work = await context.services.digests.worklist(update.effective_user.id)
    language = await context.language(update)
    # A list of names and phone numbers: nothing in it should unfold into a preview.
    await reply(update, context, Text(render_worklist(language, work), link_preview=False))
