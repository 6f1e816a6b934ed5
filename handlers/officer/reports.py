"""Officers handle citizen reports: /reports, the card's buttons, passing a report on."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.catalogue import plain, t
from bot.dialogues import DialogueState
from bot.reports import (
    CALLBACK_PREFIX,
    OUTCOME_CODES,
    REROUTE_FLOW,
    ReportCard,
    abuse_keyboard,
    main_keyboard,
    outcome_keyboard,
    render_card,
)
from handlers.common import reply
from handlers.context import CachlyContext
from handlers.dialogue import flow

# How many open reports /reports offers as buttons (the list itself shows them all).
SHOWN_BUTTONS = 20
EXCERPT = 80


def markup(keyboard: dict[str, Any] | None) -> InlineKeyboardMarkup | None:
    """PTB's inline keyboard from the Bot API dict the service renders."""
    if keyboard is None:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(**button) for button in row] for row in keyboard["inline_keyboard"]]
    )


async def list_reports(update: Update, context: CachlyContext) -> None:
    """/reports: the open reports of the officer's commune, oldest first."""
    user = update.effective_user
    if user is None:
        return
    area, cards = await context.services.reports.open_reports(user.id)
    language = await context.language(update)
    if not cards:
        await reply(update, t(language, "report.list_empty", area=area))
        return
    tz = context.services.reports.tz
    lines = [t(language, "report.list_header", area=area, count=len(cards))]
    for card in cards:
        excerpt = card.text if len(card.text) <= EXCERPT else card.text[: EXCERPT - 1] + "…"
        times = t(language, "report.list_times", count=card.times_reported)
        lines.append(
            t(
                language,
                "report.list_item",
                reference=card.reference,
                time=card.created_at.astimezone(tz).strftime("%H:%M %d/%m"),
                state=plain(language, f"report.state.{card.state}"),
                times=times if card.times_reported > 1 else "",
                excerpt=excerpt,
            )
        )
    buttons = [
        [
            InlineKeyboardButton(
                plain(language, "report.button.show", reference=card.reference),
                callback_data=f"{CALLBACK_PREFIX}s:{card.id}",
            )
        ]
        for card in cards[:SHOWN_BUTTONS]
    ]
    await reply(update, "\n".join(lines), reply_markup=InlineKeyboardMarkup(buttons))


async def button(update: Update, context: CachlyContext) -> None:
    """A button on a report card; every press is checked again by the service."""
    query, user, chat = update.callback_query, update.effective_user, update.effective_chat
    if query is None or query.data is None or user is None or chat is None:
        return
    reports = context.services.reports
    language = await context.language(update)
    action, _, rest = query.data.removeprefix(CALLBACK_PREFIX).partition(":")
    parts = rest.split(":")
    if not parts[0].isdigit():
        await query.answer(plain(language, "report.stale_button"))
        return
    report_id = int(parts[0])
    shown = (chat.id, query.message.message_id) if query.message is not None else None
    if action == "a":
        card = await reports.acknowledge(user.id, report_id, shown_in=shown)
        await _show(query, language, card, context)
        await query.answer(plain(language, "report.toast.acknowledged"))
    elif action in ("r", "b", "k"):
        card = await reports.open_card(user.id, report_id)
        keyboard = {"r": outcome_keyboard, "b": abuse_keyboard, "k": main_keyboard}[action]
        await query.edit_message_reply_markup(markup(keyboard(language, card)))
        await query.answer()
    elif action == "o" and len(parts) == 2 and parts[1] in OUTCOME_CODES:
        card = await reports.close(user.id, report_id, OUTCOME_CODES[parts[1]], shown_in=shown)
        await _show(query, language, card, context)
        await query.answer(plain(language, "report.toast.closed"))
    elif action == "x":
        reference = await reports.begin_reroute(user.id, chat.id, report_id)
        await query.answer()
        await reply(update, t(language, "report.reroute_ask", reference=reference))
    elif action == "t" and len(parts) == 2 and parts[1].isdigit():
        card = await reports.reroute(user.id, report_id, int(parts[1]))
        text = t(language, "report.rerouted", reference=card.reference, commune=card.commune_name)
        await query.edit_message_text(text, parse_mode=ParseMode.HTML)
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
        await reply(update, t(language, "report.commune_button_expected"))
        return
    report_id = int(state.data["report"])
    communes = await context.services.reports.reroute_choices(user.id, report_id, message.text)
    if not communes:
        await reply(update, t(language, "report.no_commune", query=message.text[:60]))
        return
    card = await context.services.reports.card(user.id, report_id)
    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(c.name, callback_data=f"{CALLBACK_PREFIX}t:{report_id}:{c.code}")]
            for c in communes
        ]
    )
    text = t(language, "report.reroute_choices", reference=card.reference)
    await reply(update, text, reply_markup=keyboard)


async def _show(query: Any, language: str, card: ReportCard, context: CachlyContext) -> None:
    """Redraw the pressed card at once (the other officers' copies go through the outbox)."""
    text, keyboard = render_card(language, card, context.services.reports.tz)
    await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup(keyboard))


async def _send_card(
    update: Update, context: CachlyContext, language: str, card: ReportCard
) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    if card.photo_file_id:
        caption = t(language, "report.photo_caption", reference=card.reference)
        if card.photo_kind == "photo":
            await chat.send_photo(card.photo_file_id, caption=caption, parse_mode=ParseMode.HTML)
        else:
            await chat.send_document(card.photo_file_id, caption=caption, parse_mode=ParseMode.HTML)
    if card.location is not None:
        await chat.send_location(latitude=card.location[0], longitude=card.location[1])
    text, keyboard = render_card(language, card, context.services.reports.tz)
    await reply(update, text, reply_markup=markup(keyboard))
