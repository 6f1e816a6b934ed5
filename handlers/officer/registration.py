"""/register: an officer registers one case, step by step; the state lives in the database."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from telegram import Update

from bot.actions import Action
from bot.case_files import (
    KINDS,
    CaseDraft,
    FieldError,
    display_phone,
    format_point,
    normalise_code,
    parse_address,
    parse_birth_year,
    parse_date,
    parse_kind,
    parse_name,
    parse_phone,
)
from bot.cases import REGISTER_FLOW, IssuedLink
from bot.cases.display import (
    EDITABLE,
    Option,
    home_pin,
    link_messages,
    registration_options,
    registration_question,
)
from bot.catalogue import LANGUAGES, plain, t
from bot.dialogues import DialogueState
from bot.errors import UserError
from bot.text import fold
from geofence import ZoneError, parse_point
from handlers.context import CachlyContext
from handlers.dialogue import flow
from handlers.reply import drop_choices, reply

# The steps, in order; each names the field it asks for.
STEPS = ("name", "phone", "birth", "address", "kind", "source", "start", "end", "home", "confirm")
# While correcting one field, these follow it before the summary comes back.
FOLLOWS = {("kind", "source"), ("start", "end"), ("start", "start")}
MAX_DAYS = 60


async def register(update: Update, context: CachlyContext) -> None:
    """/register: start the conversation (only an officer of a commune may)."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    me = await context.services.officers.whoami(user.id)
    if me is None or me.commune_code is None:
        raise UserError("cases.officer_only")
    state = DialogueState(user.id, chat.id, REGISTER_FLOW, "name", {})
    await context.services.dialogues.save(state)
    await _ask(update, context, state)


@flow(REGISTER_FLOW)
async def on_message(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """A typed answer (or a shared location or contact) to the current question."""
    message = update.effective_message
    if message is None:
        return
    text = message.text or ""
    if state.step == "phone" and message.contact is not None:
        text = message.contact.phone_number
    if state.step == "home" and message.location is not None:
        text = f"{message.location.latitude}, {message.location.longitude}"
    await _answer(update, context, state, text, typed=True)


async def on_button(update: Update, context: CachlyContext) -> None:
    """A button of the registration conversation (callback data rg:<value>)."""
    query = update.callback_query
    user = update.effective_user
    if query is None or query.data is None or user is None:
        return
    state = await context.services.dialogues.current(user.id)
    language = await context.language(update)
    if state is None or state.flow != REGISTER_FLOW:
        await query.answer(plain(language, "register.stale_button"))
        return
    await drop_choices(query)
    await _answer(update, context, state, query.data.removeprefix(Action.REGISTRATION), typed=False)
    # Answered last: on a refusal the error handler answers the button instead.
    await query.answer()


async def _answer(
    update: Update, context: CachlyContext, state: DialogueState, value: str, *, typed: bool
) -> None:
    language = await context.language(update)
    data = dict(state.data)
    today = context.services.cases.today()
    step = state.step
    value = value.strip()
    try:
        if typed:
            # A typed button label ("hôm nay", "F0", "Bỏ qua") counts as pressing it.
            chosen = _typed_choice(context, step, data, value)
            if chosen is not None:
                value, typed = chosen, False
            elif step == "kind":
                value, typed = f"kind:{parse_kind(value)}", False
        next_step = await _take(context, state, data, step, value, typed, today)
    except (UserError, ZoneError) as error:
        key = (
            f"cases.zone.{error.code.removeprefix('zone.')}"
            if isinstance(error, ZoneError)
            else error.key
        )
        params = {} if isinstance(error, ZoneError) else error.params
        await reply(update, context, t(language, key, **params))
        await _ask(update, context, state)
        return
    if next_step is None:
        # The answer does not fit this step (a stray text where a button is expected).
        await reply(update, context, t(language, "register.use_buttons"))
        await _ask(update, context, state)
        return
    if next_step == "done":
        await _finish(update, context, state, data)
        return
    if next_step == "cancel":
        await context.services.dialogues.cancel(state.telegram_user_id)
        await reply(update, context, t(language, "dialogue.cancelled"))
        return
    if data.get("editing") and (step, next_step) not in FOLLOWS and step not in ("confirm", "edit"):
        # One field corrected: back to the summary.
        next_step = "confirm"
    if next_step == "confirm":
        data.pop("editing", None)
    new_state = replace(state, step=next_step, data=data)
    await context.services.dialogues.save(new_state)
    await _ask(update, context, new_state)


async def _take(
    context: CachlyContext,
    state: DialogueState,
    data: dict[str, Any],
    step: str,
    value: str,
    typed: bool,
    today: date,
) -> str | None:
    """Store the answer to `step` in `data` and say which step comes next."""
    if step == "name" and typed:
        data["full_name"] = parse_name(value)
        return "phone"
    if step == "phone" and typed:
        data["phone"] = parse_phone(value)
        return "birth"
    if step == "birth":
        data["birth_year"] = (
            None if value == "skip" and not typed else parse_birth_year(value, today)
        )
        return "address"
    if step == "address" and typed:
        data["address"] = parse_address(value)
        return "kind"
    if step == "kind" and not typed and value.startswith("kind:"):
        kind = value.removeprefix("kind:")
        if kind not in KINDS:
            return None
        data["kind"] = kind
        if kind != "f1":
            data["source_code"] = None
        return "source" if kind == "f1" else "start"
    if step == "source":
        if value == "skip" and not typed:
            data["source_code"] = None
        else:
            found = await context.services.cases.source_case(state.telegram_user_id, value)
            data["source_code"] = normalise_code(found.code)
        return "start"
    if step == "start":
        if not typed and value == "start:other":
            data["start_typed"] = True
            return "start"
        if not typed and value in ("start:today", "start:tomorrow"):
            start = today if value == "start:today" else today + timedelta(days=1)
        elif typed:
            start = parse_date(value, today)
        else:
            return None
        data.pop("start_typed", None)
        data["start_date"] = start.isoformat()
        return "end"
    if step == "end":
        start = date.fromisoformat(data["start_date"])
        if not typed and value == "end:default":
            days = context.services.settings.cases.days_for(data["kind"])
            end = start + timedelta(days=days)
        elif typed and (days_typed := re.fullmatch(r"(\d+)\s*(?:ngay|days?)?", fold(value))):
            days = int(days_typed.group(1))
            if not 1 <= days <= MAX_DAYS:
                raise FieldError("cases.bad_days", limit=MAX_DAYS)
            end = start + timedelta(days=days)
        elif typed:
            end = parse_date(value, today)
            if end <= start:
                raise FieldError("cases.end_before_start")
        else:
            return None
        data["end_date"] = end.isoformat()
        return "home"
    if step == "home":
        if not typed and value == "home:later":
            data["home"] = None
        elif typed:
            lat, lon = parse_point(value)
            data["home"] = [lat, lon]
        else:
            return None
        return "confirm"
    if step == "confirm" and not typed:
        return {"ok": "done", "edit": "edit", "cancel": "cancel"}.get(value)
    if step == "edit" and not typed:
        field = value.removeprefix("edit:")
        if value == "back":
            return "confirm"
        if field not in EDITABLE:
            return None
        data["editing"] = True
        data.pop("start_typed", None)
        return field
    return None


def _typed_choice(
    context: CachlyContext, step: str, data: dict[str, Any], value: str
) -> str | None:
    """The button a typed text names, in either language ("f0", "hom nay", "14 ngay").

    A label matches whole or up to its brackets, ignoring emoji, case and tone marks.
    """
    wanted = _folded_label(value)
    if not wanted:
        return None
    for language in LANGUAGES:
        for row in _options(context, language, step, data):
            for label, choice in row:
                folded = _folded_label(label)
                if wanted in (folded, folded.split(" (")[0]):
                    return choice
    return None


def _folded_label(text: str) -> str:
    return fold(re.sub(r"^\W+", "", text.strip()))


async def _finish(
    update: Update, context: CachlyContext, state: DialogueState, data: dict[str, Any]
) -> None:
    language = await context.language(update)
    home = data.get("home")
    draft = CaseDraft(
        full_name=data["full_name"],
        phone=data["phone"],
        birth_year=data.get("birth_year"),
        address=data.get("address", ""),
        kind=data["kind"],
        source_code=data.get("source_code"),
        start_date=date.fromisoformat(data["start_date"]),
        end_date=date.fromisoformat(data["end_date"]),
        home=(home[0], home[1]) if home else None,
    )
    username = context.services.settings.telegram.bot_username or context.bot.username
    issued = await context.services.cases.register(state.telegram_user_id, draft, username)
    await send_link(update, context, language, issued, "register.done")


async def send_link(
    update: Update, context: CachlyContext, language: str, issued: IssuedLink, key: str
) -> None:
    """The link as text to forward, then as a QR code to show or print."""
    tz = context.services.settings.schedule.tz
    for content in link_messages(language, issued, key, tz):
        await reply(update, context, content)


async def _ask(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """Ask the question of the current step, with its buttons."""
    language = await context.language(update)
    step, data = state.step, state.data
    if step == "name":
        text = t(language, "register.ask_name")
    elif step == "phone":
        text = t(language, "register.ask_phone")
    elif step == "birth":
        text = t(language, "register.ask_birth")
    elif step == "address":
        text = t(language, "register.ask_address")
    elif step == "kind":
        text = t(language, "register.ask_kind")
    elif step == "source":
        text = t(language, "register.ask_source")
    elif step == "start" and data.get("start_typed"):
        text = t(language, "register.ask_start_date")
    elif step == "start":
        text = t(language, "register.ask_start")
    elif step == "end":
        days = context.services.settings.cases.days_for(data["kind"])
        text = t(language, "register.ask_end", days=days)
    elif step == "home":
        text = t(language, "register.ask_home")
    elif step == "edit":
        text = t(language, "register.ask_edit")
    else:
        home = data.get("home")
        if home:
            # The pin lets the officer see at a glance whether the link was read right.
            await reply(update, context, home_pin(home))
        text = _summary(language, data)
    options = _options(context, language, step, data)
    await reply(update, context, registration_question(text, options))


def _options(
    context: CachlyContext, language: str, step: str, data: dict[str, Any]
) -> list[list[Option]]:
    """The choices of a step: what is shown, and what a typed label stands for."""
    days = context.services.settings.cases.days_for(data["kind"]) if step == "end" else 0
    return registration_options(language, step, data, days)


def _summary(language: str, data: dict[str, Any]) -> str:
    start, end = date.fromisoformat(data["start_date"]), date.fromisoformat(data["end_date"])
    unknown = plain(language, "register.unknown")
    source = data.get("source_code")
    home = data.get("home")
    return t(
        language,
        "register.summary",
        name=data["full_name"],
        phone=display_phone(data["phone"]),
        birth=data.get("birth_year") or unknown,
        address=data.get("address") or unknown,
        kind=plain(language, f"cases.kind.{data['kind']}"),
        source=plain(language, "register.source_line", code=source) if source else "",
        start=start.strftime("%d/%m/%Y"),
        end=end.strftime("%d/%m/%Y"),
        days=(end - start).days,
        home=plain(language, "register.home_point", point=format_point(*home))
        if home
        else plain(language, "register.home_later"),
    )
