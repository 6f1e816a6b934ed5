"""Officers handle citizen reports: /reports, the card's buttons, passing a report on."""

from __future__ import annotations

from telegram import Update

from bot.actions import Action, is_id
from bot.catalogue import plain, t
from bot.dialogues import DialogueState
from bot.reports import OUTCOME_CODES, REROUTE_FLOW, ReportCard, card_menu, render_card
from bot.reports import display as report_display
from handlers.context import CachlyContext
from handlers.dialogue import flow
from handlers.reply import edit, reply


async def list_reports(update: Update, context: CachlyContext) -> None:
    """/reports: the open reports of the officer's commune, oldest first."""
    user = update.effective_user
    if user is None:
        return
    area, cards = await context.services.reports.open_reports(user.id)
    language = await context.language(update)
    tz = context.services.reports.tz
    await reply(update, context, report_display.report_list(language, area, cards, tz))


async def button(update: Update, context: CachlyContext) -> None:
    """A button on a report card; every press is checked again by the service."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    reports = context.services.reports
    language = await context.language(update)
    action, _, rest = query.data.removeprefix(Action.REPORT).partition(":")
    parts = rest.split(":")
    if not is_id(parts[0]):
        await query.answer(plain(language, "report.stale_button"))
        return
    report_id = int(parts[0])
    shown = (chat.id, query.message.message_id) if query.message is not None else None
    if action == "a":
        card = await reports.acknowledge(user.id, report_id, shown_in=shown)
        await edit(query, context, render_card(language, card, reports.tz))
        await query.answer(plain(language, "report.toast.acknowledged"))
    elif action in ("r", "b", "k"):
        card = await reports.open_card(user.id, report_id)
        await edit(query, context, card_menu(language, card, reports.tz, action))
        await query.answer()
    elif action == "o" and len(parts) == 2 and parts[1] in OUTCOME_CODES:
        card = await reports.close(user.id, report_id, OUTCOME_CODES[parts[1]], shown_in=shown)
        await edit(query, context, render_card(language, card, reports.tz))
        await query.answer(plain(language, "report.toast.closed"))
    elif action == "x":
        reference = await reports.begin_reroute(user.id, chat.id, report_id)
        await query.answer()
        await reply(update, context, t(language, "report.reroute_ask", reference=reference))
    elif action == "t" and len(parts) == 2 and is_id(parts[1]):
        card = await reports.reroute(user.id, report_id, int(parts[1]))
        await edit(query, context, report_display.rerouted(language, card))
        await query.answer()
    elif action == "s":
        card = await reports.card(user.id, report_id)
        await query.answer()
        await _send_card(update, context, language, card)
    else:
        await query.answer(plain(language, "report.stale_button"))


@flow(REROUTE_FLOW)
async def reroute_step(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """The officer types the right commune's name; the matches come back as buttons."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None:
        return
    language = await context.language(update)
    if not message.text:
        await reply(update, context, t(language, "report.commune_button_expected"))
        return
    report_id = int(state.data["report"])
    communes = await context.services.reports.reroute_choices(user.id, report_id, message.text)
    if not communes:
        await reply(update, context, t(language, "report.no_commune", query=message.text[:60]))
        return
    card = await context.services.reports.card(user.id, report_id)
    await reply(update, context, report_display.reroute_choices(language, card, communes))


async def _send_card(
    update: Update, context: CachlyContext, language: str, card: ReportCard
) -> None:
    """The report as its officers got it: photo, pin, then the card with its choices."""
    photo = report_display.photo_message(language, card)
    if photo is not None:
        await reply(update, context, photo)
    pin = report_display.pin_message(card)
    if pin is not None:
        await reply(update, context, pin)
    await reply(update, context, render_card(language, card, context.services.reports.tz))
