"""SMS text as a plain phone shows it: Vietnamese unaccented, GSM-7 only, counted in segments.

A brandname gateway sends unaccented text (IsUnicode=0) because a GSM-7 segment holds 160
characters and a UCS-2 one only 70: the same prompt costs two or three times as much with
its accents. Vietnamese reads well without them ("Tra loi 1 neu khoe"), as every bank and
operator SMS in Vietnam shows. The tables follow 3GPP TS 23.038 (the GSM 7-bit default
alphabet and its extension table, whose characters take two septets each).
"""

from __future__ import annotations

import unicodedata

# The default alphabet (one septet each), in its table order.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: an escape septet and the character, two septets each.
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE_SEGMENT = 160
# A segment of a concatenated message gives 7 septets to its header (6 bytes of UDH).
MULTI_SEGMENT = 153

# Typography a catalogue text may hold, as GSM-7 can say it; anything else unknown is dropped.
_REPLACEMENTS = {
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "‘": "'",
    "’": "'",
    "–": "-",
    "—": "-",
    "…": "...",
    "•": "-",
    "→": ">",
    "°": " do ",
    "×": "x",
    "\u00a0": " ",
    "\t": " ",
}


def unaccent(text: str) -> str:
    """Vietnamese without its diacritics: 'Trả lời đúng' → 'Tra loi dung' (case kept)."""
    # NFD leaves 'đ' whole (it is a letter of its own, not d with a mark): mapped by hand.
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def to_gsm7(text: str) -> str:
    """`text` unaccented and reduced to GSM-7: typography replaced, emoji and the rest dropped.

    Whitespace is squeezed to single spaces (a line break costs a character as a space does,
    and a phone wraps the text anyway).
    """
    plain = unaccent(text)
    kept: list[str] = []
    for char in plain:
        char = _REPLACEMENTS.get(char, char)
        if len(char) > 1 or char in GSM7_BASIC or char in GSM7_EXTENSION:
            kept.append(char)
        elif char.isspace():
            kept.append(" ")
    return " ".join("".join(kept).replace("\n", " ").replace("\r", " ").split())


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` is in the GSM-7 alphabet or its extension."""
    return all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text)


def septets(text: str) -> int:
    """How many septets `text` takes in GSM-7 (an extension character takes two)."""
    return sum(2 if c in GSM7_EXTENSION else 1 for c in text)


def segments(text: str) -> int:
    """How many SMS segments a GSM-7 `text` is sent as (and charged for)."""
    length = septets(text)
    if length <= SINGLE_SEGMENT:
        return 1
    return -(-length // MULTI_SEGMENT)


def capacity(max_segments: int) -> int:
    """The most septets that fit in `max_segments` segments."""
    return SINGLE_SEGMENT if max_segments <= 1 else MULTI_SEGMENT * max_segments


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` septets at a word, marked with '..' when cut."""
    if septets(text) <= limit:
        return text
    cut = text
    while cut and septets(cut) > limit - 2:
        cut = cut[:-1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head.rstrip(" ,.;:-") + ".."
