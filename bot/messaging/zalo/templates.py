"""ZNS templates: what is sent to a phone number when the person's free window is closed.

A deployment registers templates with Zalo (each approved, each parameter with a maximum
length) and names them in config, one per outbox purpose that may go out of the window
(a check-in prompt, a reminder, a release notice). Each parameter is filled from one
source: the message's own words (`text`, cut at a word to the parameter's length), the
local `date` or `time` of sending, or a fixed value (`=...`). Each template has its price
in VND, counted on every use (the transport's `zns_cost_vnd`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.text import day_month_year

# VNG's ZNS policy: 300 VND (before VAT) a message delivered within 15 seconds.
DEFAULT_PRICE_VND = 300
SOURCES = ("text", "date", "time")


@dataclass(frozen=True, slots=True)
class ZnsParam:
    """One parameter of a registered template and where its value comes from."""

    name: str
    source: str  # text | date | time | =<a fixed value>
    max_length: int = 0  # Zalo's limit for it (0: none known)

    def __post_init__(self) -> None:
        if self.source not in SOURCES and not self.source.startswith("="):
            raise ValueError(f"unknown ZNS parameter source {self.source!r}")


@dataclass(frozen=True, slots=True)
class ZnsTemplate:
    """A template Zalo approved, for the outbox rows of one purpose."""

    purpose: str
    template_id: str
    params: tuple[ZnsParam, ...]
    price_vnd: int = DEFAULT_PRICE_VND

    def data(self, words: str, now: datetime, tz: ZoneInfo) -> dict[str, str]:
        """The template_data for a message saying `words`, sent at `now`."""
        local = now.astimezone(tz)
        values: dict[str, str] = {}
        for param in self.params:
            if param.source == "text":
                value = " ".join(words.split())
            elif param.source == "date":
                value = day_month_year(local.date())
            elif param.source == "time":
                value = local.strftime("%H:%M")
            else:
                value = param.source.removeprefix("=")
            values[param.name] = shorten(value, param.max_length)
        return values


def shorten(value: str, limit: int) -> str:
    """`value` within `limit` characters, cut at a word with an ellipsis (0: no limit)."""
    if limit <= 0 or len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


def by_purpose(templates: Iterable[ZnsTemplate]) -> dict[str, ZnsTemplate]:
    """The templates keyed by the purpose they serve (one each)."""
    values = templates
    keyed: dict[str, ZnsTemplate] = {}
    for template in values:
        if template.purpose in keyed:
            raise ValueError(f"two ZNS templates for {template.purpose!r}")
        keyed[template.purpose] = template
    return keyed
