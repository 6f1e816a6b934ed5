"""What everyone is shown first: the welcome and the choice of language."""

from __future__ import annotations

from bot.actions import Action
from bot.catalogue import LANGUAGES, plain, t
from bot.messaging.message import Choice, Text, rows
from bot.reports.display import start_choice


def welcome(language: str) -> Text:
    """/start without a link: what cachly is, and a button to report a violation."""
    return Text(t(language, "start.welcome"), rows([start_choice(language)]))


def language_choice(current: str) -> Text:
    """/language: the languages, each named in itself."""
    choices = [
        Choice(plain(lang, f"language.{lang}"), Action.LANGUAGE.data(lang)) for lang in LANGUAGES
    ]
    return Text(t(current, "language.choose"), rows(choices))
