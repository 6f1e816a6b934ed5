"""The message catalogue: every text a user can see, in Vietnamese (default) and English.

Each domain keeps its texts in a module of its own with both languages side by side, so a
translator sees the pair together; this module merges them and renders a key.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from bot.catalogue import alerts, cases, checkins, common, officers, reports
from bot.config import LANGUAGES as LANGUAGES  # one list for settings and texts

DEFAULT_LANGUAGE = "vi"

_MODULES = (common, officers, alerts, cases, checkins, reports)


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


def t(language: str, key: str, /, **params: object) -> str:
    """Render a catalogue text; parameters are HTML-escaped unless they are `Raw`."""
    texts = CATALOGUE.get(language) or CATALOGUE[DEFAULT_LANGUAGE]
    template = texts[key]
    if not params:
        return template
    safe = {
        name: value if isinstance(value, Raw) else html.escape(str(value), quote=False)
        for name, value in params.items()
    }
    return template.format(**safe)


def plain(language: str, key: str, /, **params: object) -> str:
    """Render a catalogue text for a place without HTML (button labels, files, the CLI)."""
    texts = CATALOGUE.get(language) or CATALOGUE[DEFAULT_LANGUAGE]
    return texts[key].format(**params) if params else texts[key]
