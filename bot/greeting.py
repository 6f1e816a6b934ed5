"""What everyone is shown first: the welcome and the choice of language."""

from __future__ import annotations

from bot.actions import Action
from bot.catalogue import LANGUAGES, plain, t
from bot.messaging.message import Choice, Text, rows
from bot.reports import START_REPORT


def welcome(language: str) -> Text:
    """/start without a link: what cachly is, and a button to report a violation."""
    report = Choice(plain(language, "report.start_button"), START_REPORT)
    return Text(t(language, "start.welcome"), rows([report]))


def language_choice(current: str) -> Text:
    """/language: the languages, each named in itself."""
    choices = [
        Choice(plain(lang, f"language.{lang}"), Action.LANGUAGE.data(lang)) for lang in LANGUAGES
    ]
    return Text(t(current, "language.choose"), rows(choices))
