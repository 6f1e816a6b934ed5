"""Officer commands on cases: lists, one case, lifecycle changes, links, import and export."""

from __future__ import annotations

import time
from typing import Any

from telegram import Message, Update

from bot.actions import Action, is_id
from bot.cases import (
    EXTEND,
    HOSPITALIZE,
    IMPORT_FLOW,
    OPEN_STATUSES,
    PENDING,
    RELEASE,
    TRANSFER,
    CaseView,
    ChangePreview,
    ImportOutcome,
)
from bot.cases.card import case_card, case_flags
from bot.cases.display import (
    CHANGE_CODES,
    IMPORT_OK,
    change_confirmation,
    history_reply,
    import_confirmation,
    links_document,
)
from bot.catalogue import Raw, plain, t
from bot.catalogue import reasons as catalogue_reasons
from bot.channels import parse_channel
from bot.dialogues import DialogueState
from bot.errors import UserError
from bot.text import fold, whole_number
from handlers.context import CachlyContext
from handlers.dialogue import route
from handlers.officer.registration import send_link
from handlers.reply import drop_choices, edit, edit_message, reply

# Telegram's limit is 4096 characters; lists are split below it.
MESSAGE_LIMIT = 3800
MAX_PROBLEMS_SHOWN = 50
# A file of this many rows or more gets a progress message while it is checked.
PROGRESS_MIN_ROWS = 500
PROGRESS_EDIT_SECONDS = 1.0
# "/export khaibao" (or "checkins") adds the check-ins.
CHECKIN_WORDS = {"khaibao", "khai bao", "checkins", "checkin"}
# Callback data: cs:<action>:<case id>[:<days or commune code>] — re-checked in the service.
ACTION_CODES = {code: action for action, code in CHANGE_CODES.items()}


def _user_id(update: Update) -> int:
    if update.effective_user is None:
        raise UserError("auth.not_allowed")
    return update.effective_user.id


def _fmt_date(value: Any) -> str:
    return str(value.strftime("%d/%m/%Y"))


# ---- listing -------------------------------------------------------------------------


async def list_cases(update: Update, context: CachlyContext) -> None:
    """/cases: the commune's open cases grouped by status, with the day of isolation."""
    language = await context.language(update)
    cases = await context.services.cases.list_cases(_user_id(update))
    if not cases:
        await reply(update, context, t(language, "cases.list_empty"))
        return
    lines = [t(language, "cases.list_header", count=len(cases))]
    for status in OPEN_STATUSES:
        group = [case for case in cases if case.status == status]
        if not group:
            continue
        label = plain(language, f"cases.status.{status}")
        lines.append(t(language, "cases.list_group", status=label, count=len(group)))
        lines.extend(_line(language, case) for case in group)
    chunk = ""
    for line in lines:
        if len(chunk) + len(line) + 1 > MESSAGE_LIMIT:
            await reply(update, context, chunk)
            chunk = ""
        chunk = f"{chunk}\n{line}" if chunk else line
    await reply(update, context, chunk)


def _line(language: str, case: CaseView) -> str:
    # Flags are catalogue texts, never user input: safe as they are.
    flags = Raw(case_flags(language, case))
    if case.status == PENDING:
        return t(
            language, "cases.list_line_pending", code=case.code, name=case.full_name, flags=flags
        )
    return t(
        language,
        "cases.list_line",
        code=case.code,
        name=case.full_name,
        day=case.day,
        total=case.total_days,
        flags=flags,
    )


async def show_case(update: Update, context: CachlyContext) -> None:
    """/case <code> [khaibao]: one case's card, or its every check-in as a file."""
    language = await context.language(update)
    if not context.args:
        await reply(update, context, t(language, "cases.usage.case"))
        return
    code, *rest = context.args
    if {fold(" ".join(rest)), *(fold(word) for word in rest)} & CHECKIN_WORDS:
        history = await context.services.cases.case_checkins(_user_id(update), code)
        await reply(update, context, history_reply(language, history))
        return
    case = await context.services.cases.case(_user_id(update), code)
    tz = context.services.settings.schedule.tz
    await reply(update, context, case_card(language, case, tz))


# ---- links ---------------------------------------------------------------------------


async def new_link(update: Update, context: CachlyContext) -> None:
    """/newlink <code>: a fresh enrolment link; the old one stops working."""
    language = await context.language(update)
    if not context.args:
        await reply(update, context, t(language, "cases.usage.newlink"))
        return
    username = context.services.settings.telegram.bot_username or context.bot.username
    issued = await context.services.cases.new_link(_user_id(update), context.args[0], username)
    await send_link(update, context, language, issued, "cases.newlink")


async def change_channel(update: Update, context: CachlyContext) -> None:
    """/channel <code> <telegram|zalo|sms>: the person gets their messages there instead."""
    language = await context.language(update)
    args = context.args or []
    channel = parse_channel(" ".join(args[1:])) if len(args) >= 2 else None
    if channel is None:
        key = "channel.usage" if len(args) < 2 else "channel.bad"
        await reply(update, context, t(language, key, value=" ".join(args[1:])[:10]))
        return
    username = context.services.settings.telegram.bot_username or context.bot.username
    issued = await context.services.cases.change_channel(
        _user_id(update), args[0], channel, username
    )
    name = plain(language, f"channel.{channel.value}")
    if issued is None:
        await reply(update, context, t(language, "channel.unchanged", code=args[0], channel=name))
        return
    await send_link(update, context, language, issued, "cases.newlink")


# ---- lifecycle -----------------------------------------------------------------------


async def extend(update: Update, context: CachlyContext) -> None:
    """/extend <code> <days>."""
    language = await context.language(update)
    args = context.args or []
    if len(args) != 2 or not is_id(args[1]):
        await reply(update, context, t(language, "cases.usage.extend"))
        return
    preview = await context.services.cases.preview_change(
        _user_id(update), args[0], EXTEND, days=int(args[1])
    )
    await _confirm(update, context, preview)


async def release(update: Update, context: CachlyContext) -> None:
    """/release <code>."""
    await _simple_change(update, context, RELEASE, "cases.usage.release")


async def hospitalized(update: Update, context: CachlyContext) -> None:
    """/hospitalized <code>."""
    await _simple_change(update, context, HOSPITALIZE, "cases.usage.hospitalized")


async def _simple_change(update: Update, context: CachlyContext, action: str, usage: str) -> None:
    language = await context.language(update)
    if len(context.args or []) != 1:
        await reply(update, context, t(language, usage))
        return
    assert context.args is not None
    preview = await context.services.cases.preview_change(_user_id(update), context.args[0], action)
    await _confirm(update, context, preview)


async def transfer(update: Update, context: CachlyContext) -> None:
    """/transfer <code> <commune name or code>."""
    language = await context.language(update)
    args = context.args or []
    if len(args) < 2:
        await reply(update, context, t(language, "cases.usage.transfer"))
        return
    preview = await context.services.cases.preview_change(
        _user_id(update), args[0], TRANSFER, commune=" ".join(args[1:])
    )
    await _confirm(update, context, preview)


async def _confirm(update: Update, context: CachlyContext, preview: ChangePreview) -> None:
    language = await context.language(update)
    await reply(update, context, change_confirmation(language, preview))


async def change_button(update: Update, context: CachlyContext) -> None:
    """A confirmation button of a lifecycle change."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    language = await context.language(update)
    parts = query.data.removeprefix(Action.CASE_CHANGE).split(":")
    if parts[:1] == ["no"]:
        await query.answer()
        await edit(query, context, t(language, "cases.change_cancelled"))
        return
    if len(parts) < 2 or parts[0] not in ACTION_CODES or not is_id(parts[1]):
        raise UserError("auth.not_allowed")
    action = ACTION_CODES[parts[0]]
    param = parts[2] if len(parts) > 2 else None
    if action == EXTEND and (param is None or not is_id(param)):
        raise UserError("auth.not_allowed")
    done = await context.services.cases.apply_change(
        _user_id(update),
        int(parts[1]),
        action,
        days=int(param) if action == EXTEND and param else None,
        commune=param if action == TRANSFER else None,
    )
    await query.answer()
    case = done.case
    text = t(
        language,
        f"cases.done.{action}",
        name=case.full_name,
        code=case.code,
        end=_fmt_date(case.end_date),
        commune=done.target.name if done.target else "",
    )
    await edit(query, context, text)


# ---- home decision -------------------------------------------------------------------


async def home_button(update: Update, context: CachlyContext) -> None:
    """Accept or reject the home pin a person sent (callback hm:y|n:<case id>)."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    parts = query.data.removeprefix(Action.HOME).split(":")
    if len(parts) != 2 or parts[0] not in ("y", "n") or not is_id(parts[1]):
        raise UserError("auth.not_allowed")
    accept = parts[0] == "y"
    case = await context.services.cases.decide_home(_user_id(update), int(parts[1]), accept)
    language = await context.language(update)
    await query.answer()
    key = "home.accepted_by" if accept else "home.rejected_by"
    await edit(query, context, t(language, key, name=case.full_name, code=case.code))


# ---- import --------------------------------------------------------------------------


async def document(update: Update, context: CachlyContext) -> None:
    """A file from an officer is a list of cases to import; anyone else's goes on."""
    message, user, chat = update.effective_message, update.effective_user, update.effective_chat
    if message is None or message.document is None or user is None or chat is None:
        return
    me = await context.services.officers.whoami(user.id)
    if me is None:
        await route(update, context)
        return
    language = await context.language(update)
    doc = message.document
    limit = context.services.settings.cases.import_max_bytes
    filename = doc.file_name or "list.csv"
    if doc.file_size is not None and doc.file_size > limit:
        raise UserError("cases.file_too_big", limit=f"{limit / (1024 * 1024):g} MB")
    content = await _download(context, doc.file_id)
    outcome = await _import(update, context, filename, content, skip_invalid=False)
    if outcome.imported:
        return
    if outcome.valid_rows:
        state = DialogueState(
            user.id, chat.id, IMPORT_FLOW, "confirm", {"file_id": doc.file_id, "name": filename}
        )
        await context.services.dialogues.save(state)
        await reply(update, context, import_confirmation(language, outcome.valid_rows))
    else:
        await reply(update, context, t(language, "import.nothing_imported"))


async def _download(context: CachlyContext, file_id: str) -> bytes:
    telegram_file = await context.bot.get_file(file_id)
    return bytes(await telegram_file.download_as_bytearray())


async def _import(
    update: Update, context: CachlyContext, filename: str, content: bytes, *, skip_invalid: bool
) -> ImportOutcome:
    language = await context.language(update)
    username = context.services.settings.telegram.bot_username or context.bot.username
    outcome = await context.services.cases.import_file(
        filename,
        content,
        bot_username=username,
        skip_invalid=skip_invalid,
        telegram_user_id=_user_id(update),
        progress=_ChatProgress(update, context, language),
    )
    if outcome.problems and not outcome.imported:
        await reply(update, context, problems_text(language, outcome))
    if outcome.imported:
        await reply(
            update,
            context,
            t(language, "import.done", count=len(outcome.created), commune=outcome.commune_name),
        )
        tz = context.services.settings.schedule.tz
        await reply(update, context, links_document(language, outcome.created, tz))
    return outcome


class _ChatProgress:
    """One message that says how far the check of a big file has come, edited as it goes."""

    def __init__(self, update: Update, context: CachlyContext, language: str) -> None:
        self._update, self._context, self._language = update, context, language
        self._message: Message | None = None
        self._edited = 0.0

    async def __call__(self, checked: int, total: int) -> None:
        if total < PROGRESS_MIN_ROWS:
            return  # a small file is checked before anyone would wait for it
        text = t(
            self._language,
            "import.progress" if checked < total else "import.checked",
            checked=whole_number(self._language, checked),
            total=whole_number(self._language, total),
        )
        now = time.monotonic()
        if self._message is None:
            self._message = await reply(self._update, self._context, text)
            self._edited = now
        elif checked == total or now - self._edited >= PROGRESS_EDIT_SECONDS:
            # Edits are few (Telegram counts them too): about one a second, and the last.
            await edit_message(self._context, self._message, text)
            self._edited = now


def problems_text(language: str, outcome: ImportOutcome) -> str:
    """Every bad row with its reasons (the first 50, then a count)."""
    lines = [t(language, "import.problems", total=outcome.total_rows, count=len(outcome.problems))]
    for row in outcome.problems[:MAX_PROBLEMS_SHOWN]:
        reasons = catalogue_reasons(language, ((p.key, dict(p.params)) for p in row.problems))
        lines.append(t(language, "import.problem_line", row=row.row, reasons=reasons))
    hidden = len(outcome.problems) - MAX_PROBLEMS_SHOWN
    if hidden > 0:
        lines.append(t(language, "import.more", count=hidden))
    return "\n".join(lines)[: MESSAGE_LIMIT + 200]


async def import_button(update: Update, context: CachlyContext) -> None:
    """Import only the valid rows (im:ok) or drop the file (im:no)."""
    query, user = update.callback_query, update.effective_user
    if query is None or query.data is None or user is None:
        return
    language = await context.language(update)
    state = await context.services.dialogues.current(user.id)
    if state is None or state.flow != IMPORT_FLOW:
        await query.answer(plain(language, "register.stale_button"))
        return
    await drop_choices(query)
    if query.data != IMPORT_OK:
        await query.answer()
        await context.services.dialogues.cancel(user.id)
        await reply(update, context, t(language, "import.cancelled"))
        return
    content = await _download(context, str(state.data["file_id"]))
    await _import(update, context, str(state.data["name"]), content, skip_invalid=True)
    await query.answer()


# ---- export --------------------------------------------------------------------------


async def export(update: Update, context: CachlyContext) -> None:
    """/export [khaibao]: the cases (and the check-ins) as one XLSX workbook and CSV."""
    language = await context.language(update)
    chat = update.effective_chat
    if chat is None:
        return
    with_checkins = bool({fold(arg) for arg in context.args or []} & CHECKIN_WORDS)
    # The files come through the outbox, paced to this chat like everything else.
    cases = await context.services.cases.send_export(
        _user_id(update), chat.id, language, with_checkins
    )
    if not cases:
        await reply(update, context, t(language, "export.empty"))
