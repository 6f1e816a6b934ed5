"""The message catalogue: every text a user can see, in Vietnamese (default) and English.

Each domain keeps its texts in a module of its own with both languages side by side, so a
translator sees the pair together; this module merges them and renders a key.
"""

from __future__ import annotations

import html
import string
from collections.abc import Iterable, Mapping
from typing import Any

from bot.catalogue import (
    alerts,
    cases,
    channels,
    checkins,
    cli,
    common,
    officers,
    reports,
    sms,
    web,
    zalo,
)
from bot.config import LANGUAGES as LANGUAGES  # one list for settings and texts

DEFAULT_LANGUAGE = "vi"

_MODULES = (common, officers, alerts, cases, channels, checkins, reports, cli, web, zalo, sms)


def _merge(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for module in _MODULES:
        texts: Mapping[str, str] = getattr(module, language.upper())
        for key, text in texts.items():
            if key in merged:
                raise RuntimeError(f"catalogue key defined twice: {key}")
            merged[key] = text
    return merged


CATALOGUE: dict[str, dict[str, str]] = {language: _merge(language) for language in LANGUAGES}


class Raw(str):
    """A value already safe for Telegram HTML (built from catalogue texts or escaped parts)."""

    __slots__ = ()


class _Formatter(string.Formatter):
    """`{count:row|rows}` picks the singular for 1 and the plural otherwise (English)."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if "|" in format_spec:
            one, other = format_spec.split("|", 1)
            return one if value == 1 else other
        return str(super().format_field(value, format_spec))


_FORMATTER = _Formatter()


def _render(template: str, params: Mapping[str, object]) -> str:
    # str.format is much faster; only a template with a plural spec needs the formatter.
    if "|" in template:
        return _FORMATTER.vformat(template, (), params)
    return template.format(**params)


def t(language: str, key: str, /, **params: object) -> str:
    """Render a catalogue text; parameters are HTML-escaped unless they are `Raw` or numbers."""
    texts = CATALOGUE.get(language) or CATALOGUE[DEFAULT_LANGUAGE]
    template = texts[key]
    if not params:
        return template
    safe = {
        name: value
        if isinstance(value, (Raw, int, float))
        else html.escape(str(value), quote=False)
        for name, value in params.items()
    }
    return _render(template, safe)


def for_channel(key: str, channel: str) -> str:
    """The key of a text as the person's channel says it (`<key>.zalo`), if it has one.

    Telegram's texts are the keys themselves; a channel with no button for a location (Zalo)
    words "press the button" its own way.
    """
    variant = f"{key}.{channel}"
    return variant if variant in CATALOGUE[DEFAULT_LANGUAGE] else key


def plain(language: str, key: str, /, **params: object) -> str:
    """Render a catalogue text for a place without HTML (button labels, files, the CLI)."""
    texts = CATALOGUE.get(language) or CATALOGUE[DEFAULT_LANGUAGE]
    return _render(texts[key], params) if params else texts[key]


def reasons(language: str, problems: Iterable[tuple[str, Mapping[str, object]]]) -> str:
    """Several reasons as one sentence: one clause each, without doubled punctuation."""
    clauses = [plain(language, key, **params).rstrip(" .;") for key, params in problems]
    return "; ".join(clause for clause in clauses if clause) + "."
