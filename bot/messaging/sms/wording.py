"""The SMS wording of a catalogue text: recognise what a service said, say the short form.

Services build their texts with `t()` and know nothing of SMS; the outbox keeps the text
as it was rendered. To say it in one segment, the SMS renderer finds which catalogue
template produced it (a template becomes a pattern: its literal parts as they are, each
`{field}` a group) and, when the catalogue has an `sms.<key>` wording, renders that with
the same parameters. Anything else is said as it is: markup stripped, unaccented, GSM-7.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass

from bot.catalogue import CATALOGUE
from bot.messaging.sms import gsm

SMS_PREFIX = "sms."
NO_LINK = ".nolink"
# A field of a template: {name}, or {count:one|other} (a plural spec, matched as any text).
_FIELD = re.compile(r"\{(\w+)((?::|!)[^{}]*)?\}")
_LINK = re.compile(r'<a\s+href="([^"]*)"[^>]*>(.*?)</a>', re.S)
_TAG = re.compile(r"</?[a-zA-Z][\w-]*(?:\s[^<>]*)?>")
# Marks a label may carry in front of its words (a ticked symptom: "✅ Sốt").
_LEADING_MARKS = re.compile(r"^[^\w(]+")


@dataclass(frozen=True, slots=True)
class _Template:
    language: str
    key: str
    pattern: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Said:
    """A text as an SMS says it, with and without a location link to follow it."""

    text: str
    nolink: str


def plain(markup: str) -> str:
    """Catalogue markup as plain GSM-7: links as their words and address, tags dropped."""

    def link(match: re.Match[str]) -> str:
        url, words = match.group(1), match.group(2)
        return url if words.strip() == url else f"{words} {url}"

    text = _TAG.sub("", _LINK.sub(link, markup))
    return gsm.to_gsm7(html.unescape(text))


def say(markup: str) -> Said:
    """A service's text in SMS words: each recognised part in its short wording."""
    parts = markup.split("\n\n")
    said: list[str] = []
    unlinked: list[str] = []
    start = 0
    while start < len(parts):
        # The longest run of paragraphs that one template made (some hold a blank line).
        for end in range(len(parts), start, -1):
            found = _recognise("\n\n".join(parts[start:end]))
            if found is not None:
                break
        else:
            found, end = None, start + 1
        if found is None:
            said.append(plain(parts[start]))
            unlinked.append(said[-1])
        else:
            language, key, params = found
            said.append(_short(language, key, params))
            nolink = key + NO_LINK
            has_nolink = SMS_PREFIX + nolink in CATALOGUE[language]
            unlinked.append(_short(language, nolink, params) if has_nolink else said[-1])
        start = end
    return Said(_joined(said), _joined(unlinked))


def label(text: str) -> tuple[str, str | None]:
    """A button's label in SMS words, and the catalogue key it was recognised as."""
    for candidate in (text, _LEADING_MARKS.sub("", text)):
        found = _recognise(candidate)
        if found is not None:
            language, key, params = found
            return _short(language, key, params), key
    return plain(text), None


def _recognise(text: str) -> tuple[str, str, dict[str, str]] | None:
    for template in _templates():
        match = template.pattern.fullmatch(text)
        if match is not None:
            return template.language, template.key, match.groupdict()
    return None


def _short(language: str, key: str, params: dict[str, str]) -> str:
    template = CATALOGUE[language][SMS_PREFIX + key]
    # The captured values are as t() escaped them; plain() unescapes the whole once.
    return plain(template.format(**params))


def _joined(parts: list[str]) -> str:
    return " ".join(part for part in parts if part)


@functools.cache
def _templates() -> tuple[_Template, ...]:
    """Every catalogue template that has an SMS wording, as a pattern (built once)."""
    found: list[_Template] = []
    for language, texts in CATALOGUE.items():
        for key, template in texts.items():
            if key.startswith(SMS_PREFIX) or SMS_PREFIX + key not in texts:
                continue
            found.append(_Template(language, key, _pattern(template)))
    return tuple(found)


def _pattern(template: str) -> re.Pattern[str]:
    parts: list[str] = []
    seen: set[str] = set()
    position = 0
    for match in _FIELD.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        name, spec = match.group(1), match.group(2)
        if spec:
            parts.append(".*?")
        elif name in seen:
            parts.append(f"(?P={name})")
        else:
            parts.append(f"(?P<{name}>.*?)")
            seen.add(name)
        position = match.end()
    parts.append(re.escape(template[position:]))
    return re.compile("".join(parts), re.S)
