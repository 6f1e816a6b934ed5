"""Simulated phones: what each received, and the replies their owners send back.

Each stand-in keeps its phones by E.164 number. A phone the stand-in does not know is a
number that exists nowhere: the gateway accepts the SMS and its delivery report says it
failed, as an operator does for a number not in service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Received:
    """One SMS as a phone shows it."""

    message_id: str
    text: str
    segments: int
    at: datetime


@dataclass
class SimPhone:
    """A phone that receives SMS (its inbox) and replies (through its stand-in)."""

    number: str  # E.164
    inbox: list[Received] = field(default_factory=list)
    # Each reply and the HTTP status cachly's endpoint answered it with.
    replies: list[tuple[str, int]] = field(default_factory=list)

    @property
    def last(self) -> str:
        """The text of the last SMS received ("" when none)."""
        return self.inbox[-1].text if self.inbox else ""
