"""Reading an SMS reply leniently: "1", " 1.", "mot", "khoe", "SOS" against the stored codes.

People answer from feature phones, often elderly, with whatever the keypad gives: a code
with a dot or a space, the number as a word, the label's word, accents or none, upper
case. Each is read against the codes of the last question (the contact book keeps them,
`text.Draft.reply_codes`): the actions to take in order (several codes answer a multi-
choice question: "1 5 9"), an SOS, or words the codes do not explain, which go to the
conversation as typed (a temperature, a name, a question).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.messaging.sms.text import SAY, URGENT, words_of

# Whole replies that ask for help now, unaccented and lower case.
SOS_WORDS = frozenset(
    {
        "sos",
        "cuu",
        "cuu toi",
        "cuu voi",
        "cuu em",
        "cap cuu",
        "giup",
        "giup toi",
        "giup voi",
        "help",
        "help me",
    }
)
# Numbers as words, in Vietnamese and English (a code is one digit or two).
NUMBER_WORDS = {
    "mot": "1",
    "hai": "2",
    "ba": "3",
    "bon": "4",
    "tu": "4",
    "nam": "5",
    "sau": "6",
    "bay": "7",
    "tam": "8",
    "chin": "9",
    "muoi": "10",
    "one": "1",
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
}
_DECIMAL = re.compile(r"^\d+[.,]\d+$")
ACTION, SAY_VERB = "action", "say"


class ReplyKind(StrEnum):
    """What a reply amounts to."""

    ACTIONS = "actions"  # codes: the steps to take (and perhaps an SOS with them)
    SOS = "sos"  # help now, nothing else
    UNKNOWN = "unknown"  # words the codes do not explain: the conversation reads them


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply read: steps ("action", data) or ("say", words) in order, and whether SOS."""

    kind: ReplyKind
    steps: tuple[tuple[str, str], ...] = ()
    sos: bool = False
    text: str = ""


def parse(message: str, codes: Mapping[str, str]) -> Reply:
    """What the person's SMS means against the codes of the last question."""
    text = message.strip()
    folded = words_of(text)
    if not folded:
        return Reply(ReplyKind.UNKNOWN, text=text)
    if folded in SOS_WORDS or folded.split()[0] == "sos":
        return Reply(ReplyKind.SOS, sos=True)
    # A measure ("37,5", "37.5") is an answer to type, never a list of codes.
    if _DECIMAL.match(text.rstrip(". ")):
        return Reply(ReplyKind.UNKNOWN, text=text)
    by_words = _by_label(codes)
    if folded in by_words:
        return _reply([by_words[folded]])
    tokens = [NUMBER_WORDS.get(token, token) for token in folded.split()]
    # Several codes answer a multi-choice question; label words only ever come alone.
    if all(token.isdecimal() and token in codes for token in tokens):
        return _reply([codes[token] for token in dict.fromkeys(tokens)])
    return Reply(ReplyKind.UNKNOWN, text=text)


def _by_label(codes: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in codes.items() if not key.isdecimal()}


def _reply(replies: list[str]) -> Reply:
    steps: list[tuple[str, str]] = []
    sos = False
    for reply in replies:
        if reply.startswith(URGENT):
            sos = True
            reply = reply.removeprefix(URGENT)
            if not reply:
                continue
        if reply.startswith(SAY):
            steps.append((SAY_VERB, reply.removeprefix(SAY)))
        else:
            steps.append((ACTION, reply))
    if not steps:
        return Reply(ReplyKind.SOS, sos=True)
    return Reply(ReplyKind.ACTIONS, tuple(steps), sos)
