"""The GSM 7-bit default alphabet and its extension (3GPP TS 23.038), as an operator counts."""

from __future__ import annotations

BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = frozenset("^{}\\[~]|€\f")


def is_gsm7(text: str) -> bool:
    """Whether every character is in the alphabet or its extension."""
    return all(c in BASIC or c in EXTENSION for c in text)


def segments(text: str) -> int:
    """Segments of a GSM-7 text: 160 septets alone, 153 each when concatenated."""
    septets = sum(2 if c in EXTENSION else 1 for c in text)
    return 1 if septets <= 160 else -(-septets // 153)


def ucs2_segments(text: str) -> int:
    """Segments of a Unicode text: 70 characters alone, 67 each when concatenated."""
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else -(-units // 67)
