"""What the public page may say about a count: rounded, small ones hidden, nothing derivable.

Every figure published is either a *base figure*, one count shown as

- 0 as "0",
- 1 to 4 as "< 5" (it stands for 1–4),
- 5 and up rounded to the nearest 5 ("5" stands for 5–7, "10" for 8–12, "15" for 13–17 …),

or a *total*: the sum of base figures already on the page (each "< 5" counted as 2.5),
rounded the same way. A total is computed from what is published, never from the exact
counts, so it tells nothing that its parts do not: subtracting the sum of the communes from
the province, or the kinds from a commune's total, gives a range, never a small count. A
base figure stands for at least three counts, so the difference of two of them (today's and
yesterday's bar, the page now and a minute ago) is a range too, never one count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

SMALL = 5  # counts under it are "< 5"
BASE = 5  # everything else is rounded to a multiple of it
SMALL_TEXT = f"< {SMALL}"
SMALL_ESTIMATE = 2.5  # what a "< 5" counts for in a total (and a bar's height)


def _rounded(value: float) -> int:
    """To the nearest multiple of BASE, halves up (12.5 → 15)."""
    return BASE * math.floor(value / BASE + 0.5)


@dataclass(frozen=True)
class Figure:
    """A count as published: the range of true counts it stands for, and its estimate."""

    low: int
    high: int
    estimate: float

    @property
    def text(self) -> str:
        """What the page shows: "0", "< 5" or a multiple of 5."""
        if self.high == 0:
            return "0"
        if self.high < SMALL:
            return SMALL_TEXT
        return str(max(SMALL, _rounded(self.estimate)))

    @property
    def height(self) -> float:
        """The number a chart draws: the shown value ("< 5" as 2.5), never the exact count."""
        if self.high == 0:
            return 0.0
        if self.high < SMALL:
            return SMALL_ESTIMATE
        return float(max(SMALL, _rounded(self.estimate)))


ZERO = Figure(0, 0, 0.0)


def published(count: int) -> Figure:
    """A base figure: one exact count as the public may see it."""
    if count <= 0:
        return ZERO
    if count < SMALL:
        return Figure(1, SMALL - 1, SMALL_ESTIMATE)
    shown = _rounded(count)
    # The counts that round to `shown` and are not small: 5 stands for 5–7, 10 for 8–12.
    return Figure(max(SMALL, shown - BASE // 2), shown + BASE // 2, float(shown))


def total(parts: Iterable[Figure]) -> Figure:
    """A total of published figures, from the figures alone (the exact counts unused)."""
    low = high = 0
    estimate = 0.0
    for part in parts:
        # The estimates, not the rounded texts: a total of totals is the total of their
        # base figures, rounded once.
        low, high, estimate = low + part.low, high + part.high, estimate + part.estimate
    return Figure(low, high, estimate)
