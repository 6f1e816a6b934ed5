"""Text helpers shared by search and validation."""

from __future__ import annotations

import unicodedata
from datetime import date

DIVISION_PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ")


def bare_name(name: str) -> str:
    """'Phường Hạc Thành' → 'Hạc Thành': people rarely type the division type."""
    for prefix in DIVISION_PREFIXES:
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


def fold(text: str) -> str:
    """Lower-case, strip Vietnamese diacritics and squeeze spaces, for forgiving search."""
    # NFD leaves 'đ' whole, so it is mapped by hand before the combining marks are dropped.
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def day_month_year(value: date) -> str:
    """A date as Vietnamese write it: 25/11/2026."""
    return value.strftime("%d/%m/%Y")


def whole_number(language: str, value: int) -> str:
    """A count with its thousands marked as the language does: 5.000 (vi), 5,000 (en)."""
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if language == "vi" else grouped
