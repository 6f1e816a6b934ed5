"""Telegram glue: every handler is registered here, in one place, in an order that matters."""

from __future__ import annotations

import re
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, TypeHandler, filters

from bot.actions import Action
from handlers import buttons, common, dialogue
from handlers.citizen import reports as citizen_reports
from handlers.officer import alerts as officer_alerts
from handlers.officer import cases as officer_cases
from handlers.officer import checkins as officer_checkins
from handlers.officer import onboarding, registration
from handlers.officer import reports as officer_reports
from handlers.officer import web as officer_web
from handlers.person import checkins, enrolment, status

if TYPE_CHECKING:
    from handlers.context import CachlyApplication, CachlyContext

_NEW_PRIVATE = filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE
Callback = Callable[[Update, "CachlyContext"], Coroutine[Any, Any, None]]

# Every command, most specific first (none of them is a prefix of another).
COMMANDS: tuple[tuple[str, Callback], ...] = (
    ("start", common.start),
    ("help", common.help_command),
    ("language", common.language),
    ("whoami", onboarding.whoami),
    ("web", officer_web.web_link),
    ("cancel", dialogue.cancel),
    ("register", registration.register),
    ("cases", officer_cases.list_cases),
    ("case", officer_cases.show_case),
    ("newlink", officer_cases.new_link),
    ("channel", officer_cases.change_channel),
    ("extend", officer_cases.extend),
    ("release", officer_cases.release),
    ("hospitalized", officer_cases.hospitalized),
    ("transfer", officer_cases.transfer),
    ("export", officer_cases.export),
    ("status", status.status),
    ("report", citizen_reports.report_command),
    ("reports", officer_reports.list_reports),
    ("alerts", officer_alerts.list_alerts),
    ("worklist", officer_alerts.worklist),
    ("checkin", checkins.checkin_command),
    ("sos", checkins.sos_command),
    ("times", officer_checkins.times_command),
)

# Every button action and the handler it goes back to, with what may follow the prefix.
# Order matters where one prefix starts another: "ci:p:" (whose check-in?) before "ci:".
BUTTONS: tuple[tuple[Action, str, Callback], ...] = (
    (Action.LANGUAGE, "", common.language_chosen),
    (Action.ALERT, "", officer_alerts.button),
    (Action.REGISTRATION, "", registration.on_button),
    (Action.CASE_CHANGE, "", officer_cases.change_button),
    (Action.HOME, "", officer_cases.home_button),
    (Action.IMPORT, "", officer_cases.import_button),
    (Action.CONSENT, "", enrolment.consent_button),
    (Action.CITIZEN_REPORT, "", citizen_reports.button),
    (Action.REPORT, "", officer_reports.button),
    (Action.CHECKIN_PERSON, r"[0-9]{1,9}$", checkins.pick_person),
    (Action.CHECKIN, r"[0-9]{1,9}:", checkins.button),
    (Action.SOS, r"[0-9]{1,9}$", checkins.sos_pick),
    (Action.WHERE, r"[0-9]{1,9}$", checkins.location_pick),
    (Action.TIMES, "", officer_checkins.times_button),
)


def _command(name: str, callback: Callback) -> CommandHandler[CachlyContext, None]:
    """A command for private chats; in groups the bot stays silent."""
    return CommandHandler(name, callback, filters=_NEW_PRIVATE)


def register(application: CachlyApplication) -> None:
    """Register all handlers and the error handler.

    Order: PTB tries handlers of group 0 in order and stops at the first match, so the
    specific commands come first (`COMMANDS`), then callback buttons by their prefix (`BUTTONS`, one
    entry per `bot.actions.Action`), and last the
    catch-alls that answer unknown commands and stray messages, so nothing goes unanswered.
    Everything works in private chats only: an officer's role or a person's health must
    not show up in a group. Edited messages reach only the live-location handler; an
    edited text is not a new message to answer. Every button press is answered: each
    button handler is wrapped by `buttons.answered`, and the catch-all `buttons.unknown`,
    registered last, answers presses nobody took (stale or forged data, group chats).
    Other updates (channel posts, member changes, edits) are deliberately ignored. Group
    -10 only logs what kind of update came, by ids (a test may add handlers in -1).
    """
    application.add_handler(TypeHandler(Update, common.log_update), group=-10)
    for name, command in COMMANDS:
        application.add_handler(_command(name, command))
    for action, detail, callback in BUTTONS:
        pattern = "^" + re.escape(action) + detail
        application.add_handler(buttons.PrivateButton(buttons.answered(callback), pattern=pattern))
    # Live-location edits arrive as edited messages; shared locations before the router,
    # which hands them back to another conversation (home anchoring) when it asked for them.
    application.add_handler(
        MessageHandler(
            filters.UpdateType.EDITED_MESSAGE & filters.ChatType.PRIVATE & filters.LOCATION,
            checkins.live_edit,
        )
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & filters.LOCATION,
            checkins.location,
        )
    )

    # A file from an officer is a case list to import (anyone else's goes to the router).
    application.add_handler(
        MessageHandler(_NEW_PRIVATE & filters.Document.ALL, officer_cases.document)
    )

    application.add_handler(MessageHandler(_NEW_PRIVATE & filters.COMMAND, common.unknown_command))
    # Everything else a person types or sends in private goes to their conversation, if any.
    application.add_handler(MessageHandler(_NEW_PRIVATE & ~filters.COMMAND, dialogue.route))
    application.add_handler(CallbackQueryHandler(buttons.unknown))
    application.add_error_handler(common.error_handler)
