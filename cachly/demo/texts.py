"""Recognising the bot's messages by their catalogue texts, as a reader of the chat would."""

from __future__ import annotations

import html
import re
from functools import cache

from bot.catalogue import CATALOGUE, plain

LANGUAGE = "vi"


@cache
def _pattern(key: str) -> re.Pattern[str]:
    template = re.sub(r"<[^>]+>", "", CATALOGUE[LANGUAGE][key])
    parts = re.split(r"\{[a-z_]+\}", html.unescape(template))
    return re.compile(".*?".join(re.escape(part) for part in parts), re.DOTALL)


def says(text: str | None, key: str) -> bool:
    """Whether a message's text is the catalogue text `key` (whatever its parameters)."""
    return bool(text) and _pattern(key).search(text or "") is not None


def label(key: str, **params: object) -> str:
    """A button's label as the catalogue gives it."""
    return plain(LANGUAGE, key, **params)
