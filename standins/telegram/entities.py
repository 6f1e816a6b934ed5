"""Telegram HTML: text with parse_mode=HTML turned into plain text and entities."""

from __future__ import annotations

import html
import re

from standins.telegram.wire import JSON

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_CHAR_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]*")
_UNQUOTED = re.compile(r"[^\s>]*")
_SPECIAL = re.compile(r"[<&]")


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Turn Bot API HTML into plain text and entities; ValueError says why it doesn't parse."""
    out: list[str] = []
    pos = 0  # UTF-16 length of the text produced so far
    # Open tags: (name, UTF-16 start, entity or None, byte offset of the tag).
    stack: list[tuple[str, int, JSON | None, int]] = []
    entities: list[JSON] = []
    i, n = 0, len(source)

    def at(index: int) -> int:  # Telegram reports positions as UTF-8 byte offsets
        return len(source[:index].encode())

    while i < n:
        special = _SPECIAL.search(source, i)
        j = special.start() if special else n
        if j > i:
            chunk = source[i:j]
            out.append(chunk)
            pos += utf16_len(chunk)
            i = j
            continue
        if source[i] == "&":
            char, i = _char_entity(source, i, at(i))
            out.append(char)
            pos += utf16_len(char)
            continue
        # A '<' always starts a tag.
        if source.startswith("</", i):
            end = source.find(">", i)
            if end < 0:
                raise ValueError(f"Unclosed end tag at byte offset {at(i)}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise ValueError(f"Unexpected end tag at byte offset {at(i)}")
            tag, start, entity, _ = stack.pop()
            if name != tag:
                raise ValueError(
                    f'Unmatched end tag at byte offset {at(i)}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            if entity is not None and pos > start:
                entity["offset"], entity["length"] = start, pos - start
                entities.append(entity)
            i = end + 1
            continue
        raw_name = _run(_TAG_NAME, source, i + 1)
        name = raw_name.lower()
        if name not in _TAG_ENTITY:
            raise ValueError(f'Unsupported start tag "{name}" at byte offset {at(i)}')
        attrs, k = _parse_attributes(source, i + 1 + len(raw_name), name, at(i))
        stack.append((name, pos, _tag_entity(name, attrs, stack, at(i)), at(i)))
        i = k
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _char_entity(source: str, i: int, byte_offset: int) -> tuple[str, int]:
    """The character an `&...;` at `i` stands for, and the index after it."""
    # Stricter than Telegram (which keeps a stray '&' literally), as the Bot API
    # documentation demands: a stray '&' means the bot forgot to escape user text.
    m = _CHAR_ENTITY.match(source, i)
    if m is None:
        raise ValueError(f'Unescaped "&" at byte offset {byte_offset}, use &amp;')
    named, dec, hexa = m.groups()
    if named:
        return _NAMED[named], m.end()
    code = int(dec) if dec else int(hexa, 16)
    if not 0 < code <= 0x10FFFF:
        raise ValueError(f"Invalid character entity at byte offset {byte_offset}")
    return chr(code), m.end()


def _run(pattern: re.Pattern[str], source: str, start: int) -> str:
    """The text a `*` pattern matches at `start` (possibly empty)."""
    match = pattern.match(source, start)
    return match.group() if match else ""


def _parse_attributes(source: str, k: int, tag: str, offset: int) -> tuple[dict[str, str], int]:
    """Read a start tag's attributes; returns them and the index after '>'."""
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while k < n and source[k].isspace():
            k += 1
        if k >= n:
            raise ValueError(f"Unclosed start tag at byte offset {offset}")
        if source[k] == ">":
            return attrs, k + 1
        name = _run(_ATTR_NAME, source, k)
        if not name:
            raise ValueError(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
        k += len(name)
        value = ""
        if k < n and source[k] == "=":
            k += 1
            if k < n and source[k] in "\"'":
                close = source.find(source[k], k + 1)
                if close < 0:
                    raise ValueError(f"Unclosed start tag at byte offset {offset}")
                value = html.unescape(source[k + 1 : close])
                k = close + 1
            else:
                raw = _run(_UNQUOTED, source, k)
                value, k = html.unescape(raw), k + len(raw)
        attrs[name.lower()] = value


def _tag_entity(
    tag: str, attrs: dict[str, str], stack: list[tuple[str, int, JSON | None, int]], offset: int
) -> JSON | None:
    """The entity a start tag opens (filled in at its end tag), or None if it makes none."""
    kind = _TAG_ENTITY[tag]
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise ValueError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if tag == "a":
        url = attrs.get("href", "")
        return {"type": kind, "url": url} if url else None
    if tag == "tg-emoji":
        if "emoji-id" not in attrs:
            raise ValueError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        return {"type": kind, "custom_emoji_id": attrs["emoji-id"]}
    if tag == "code" and stack and stack[-1][0] == "pre" and stack[-1][2] is not None:
        # <pre><code class="language-x"> is one pre entity with a language.
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
            return None
    if tag == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    return {"type": kind}
