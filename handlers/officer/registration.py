"""/register: an officer registers one case, step by step; the state lives in the database."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import qrcode
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot.case_files import (
    KINDS,
    CaseDraft,
    FieldError,
    display_phone,
    normalise_code,
    parse_address,
    parse_birth_year,
    parse_date,
    parse_name,
    parse_phone,
)
from bot.cases import REGISTER_FLOW, IssuedLink
from bot.catalogue import plain, t
from bot.context import CachlyContext
from bot.dialogues import DialogueState
from bot.errors import UserError
from geofence import ZoneError, parse_point
from handlers.dialogue import flow

# The steps, in order; each names the field it asks for.
STEPS = ("name", "phone", "birth", "address", "kind", "source", "start", "end", "home", "confirm")
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
    await query.edit_message_reply_markup(None)
    await _answer(update, context, state, query.data.removeprefix("rg:"), typed=False)
    # Answered last: on a refusal the error handler answers the button instead.
    await query.answer()


async def _answer(
    update: Update, context: CachlyContext, state: DialogueState, value: str, *, typed: bool
) -> None:
    language = await context.language(update)
    data = dict(state.data)
    today = context.services.cases.today()
    step = state.step
    try:
        next_step = await _take(context, state, data, step, value.strip(), typed, today)
    except (UserError, ZoneError) as error:
        key = (
            f"cases.zone.{error.code.removeprefix('zone.')}"
            if isinstance(error, ZoneError)
            else error.key
        )
        params = {} if isinstance(error, ZoneError) else error.params
        await _send(update, t(language, key, **params))
        await _ask(update, context, state)
        return
    if next_step is None:
        # The answer does not fit this step (a stray text where a button is expected).
        await _send(update, t(language, "register.use_buttons"))
        await _ask(update, context, state)
        return
    if next_step == "done":
        await _finish(update, context, state, data)
        return
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
        data["start_date"] = start.isoformat()
        return "end"
    if step == "end":
        start = date.fromisoformat(data["start_date"])
        if not typed and value == "end:default":
            days = context.services.settings.cases.days_for(data["kind"])
            end = start + timedelta(days=days)
        elif typed and value.isdigit():
            if not 1 <= int(value) <= MAX_DAYS:
                raise FieldError("cases.bad_days", limit=MAX_DAYS)
            end = start + timedelta(days=int(value))
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
        return "done" if value == "ok" else None
    return None


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
    expires = issued.expires_at.astimezone(tz).strftime("%d/%m/%Y %H:%M")
    case = issued.case
    await _send(
        update,
        t(language, key, name=case.full_name, code=case.code, link=issued.link, expires=expires),
    )
    await _send(update, t(language, "register.forward", link=issued.link))
    if update.effective_chat is not None:
        await update.effective_chat.send_photo(
            qr_png(issued.link),
            caption=t(language, "register.qr_caption", name=case.full_name, code=case.code),
            parse_mode=ParseMode.HTML,
        )


def qr_png(link: str) -> bytes:
    """A QR code of the link as a PNG image, big enough to scan from a printed page."""
    image = qrcode.make(link, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


async def _ask(update: Update, context: CachlyContext, state: DialogueState) -> None:
    """Ask the question of the current step, with its buttons."""
    language = await context.language(update)
    step, data = state.step, state.data
    rows: list[list[InlineKeyboardButton]] = []

    def button(label_key: str, value: str, **params: object) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            plain(language, label_key, **params), callback_data=f"rg:{value}"
        )

    if step == "name":
        text = t(language, "register.ask_name")
    elif step == "phone":
        text = t(language, "register.ask_phone")
    elif step == "birth":
        text = t(language, "register.ask_birth")
        rows = [[button("register.skip", "skip")]]
    elif step == "address":
        text = t(language, "register.ask_address")
    elif step == "kind":
        text = t(language, "register.ask_kind")
        rows = [[button(f"cases.kind.{kind}", f"kind:{kind}")] for kind in KINDS]
    elif step == "source":
        text = t(language, "register.ask_source")
        rows = [[button("register.skip", "skip")]]
    elif step == "start" and data.get("start_typed"):
        text = t(language, "register.ask_start_date")
    elif step == "start":
        text = t(language, "register.ask_start")
        rows = [
            [
                button("register.today", "start:today"),
                button("register.tomorrow", "start:tomorrow"),
                button("register.other_date", "start:other"),
            ]
        ]
    elif step == "end":
        days = context.services.settings.cases.days_for(data["kind"])
        text = t(language, "register.ask_end", days=days)
        rows = [[button("register.default_days", "end:default", days=days)]]
    elif step == "home":
        text = t(language, "register.ask_home")
        rows = [[button("register.home_later_button", "home:later")]]
    else:
        text = _summary(language, data)
        rows = [[button("register.confirm", "ok")]]
    markup = InlineKeyboardMarkup(rows) if rows else None
    await _send(update, text, reply_markup=markup)


def _summary(language: str, data: dict[str, Any]) -> str:
    start, end = date.fromisoformat(data["start_date"]), date.fromisoformat(data["end_date"])
    unknown = plain(language, "register.unknown")
    source = data.get("source_code")
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
        home=plain(language, "register.home_given" if data.get("home") else "register.home_later"),
    )


async def _send(update: Update, text: str, **kwargs: Any) -> None:
    if update.effective_chat is not None:
        await update.effective_chat.send_message(text, parse_mode=ParseMode.HTML, **kwargs)
