"""Every action a button can carry, by the prefix of its data.

A choice's data is `<prefix><what>`, opaque to the person and checked again by the service
when it comes back. The same enumeration builds the choices (services, display modules)
and registers the handlers (`handlers.register`), so a prefix is never spelled twice.
Telegram carries the data as callback data (at most 64 bytes); other channels map it.
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """The prefix of a choice's data: which handler and service it goes back to."""

    LANGUAGE = "lang:"  # lang:<vi|en>
    ALERT = "al:"  # al:<verb>:<alert id>
    REGISTRATION = "rg:"  # rg:<answer> in the /register conversation
    CASE_CHANGE = "cs:"  # cs:<change>:<case id>[:<detail>] or cs:no
    HOME = "hm:"  # hm:<y|n>:<case id>, the officer's verdict on a home pin
    IMPORT = "im:"  # im:<ok|no>, import the good rows or not
    CONSENT = "en:"  # en:<y|n>:<case id>, the privacy notice
    CITIZEN_REPORT = "rpc:"  # the citizen's /report conversation
    REPORT = "rp:"  # rp:<verb>:<report id>, an officer on a report card
    CHECKIN_PERSON = "ci:p:"  # ci:p:<case id>, whose check-in on a shared phone
    CHECKIN = "ci:"  # ci:<check-in id>:<step>:<answer>
    SOS = "sos:"  # sos:<case id>, whose emergency on a shared phone
    WHERE = "cw:"  # cw:<case id>, whose location on a shared phone
    TIMES = "tm:"  # tm:<y|n>:<case id>:<times>, an officer's new check-in times

    def data(self, *parts: object) -> str:
        """The data of a choice: this prefix and its parts, joined by ':'."""
        return self.value + ":".join(str(part) for part in parts)


# A forged id in choice data must not reach the database as a number it cannot hold.
_ID_DIGITS = 9


def is_id(text: str) -> bool:
    """Whether `text` is an id as choices carry it: ASCII digits, few enough for any column."""
    return 0 < len(text) <= _ID_DIGITS and text.isascii() and text.isdecimal()
