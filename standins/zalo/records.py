"""What the stand-in keeps: every call, the registered templates, the people and their messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from standins.zalo.wire import JSON


@dataclass(frozen=True, slots=True)
class Template:
    """A ZNS template as registered with (and approved by) Zalo: its parameters' lengths."""

    template_id: str
    params: dict[str, int]  # name -> maximum length
    price_vnd: int = 300


@dataclass(slots=True, eq=False)
class Call:
    """One request the stand-in answered."""

    path: str
    params: JSON
    at: datetime  # the stand-in's clock
    answer: JSON = field(default_factory=dict)

    @property
    def code(self) -> int:
        """Zalo's error code of the answer (0: success)."""
        value = self.answer.get("error", 0)
        return int(value) if isinstance(value, int) else 0

    @property
    def ok(self) -> bool:
        """Whether Zalo would have accepted it."""
        return self.code == 0


@dataclass(slots=True, eq=False)
class Received:
    """A message a person got: a free CS message or a ZNS template message."""

    msg_id: str
    via: str  # cs | zns
    at: datetime
    text: str = ""
    buttons: list[JSON] = field(default_factory=list)
    template_id: str | None = None
    template_data: dict[str, str] = field(default_factory=dict)
    tracking_id: str | None = None

    def button(self, label: str) -> JSON:
        """The button whose title or payload is `label`."""
        for button in self.buttons:
            if label in (button.get("title"), button.get("payload")):
                return button
        shown = [b.get("title") for b in self.buttons]
        raise AssertionError(f"no button {label!r} on message {self.msg_id}: {shown}")


@dataclass(slots=True, eq=False)
class Person:
    """A Zalo user as the stand-in knows them: follower or not, their window, their inbox."""

    user_id: str
    phone: str | None
    following: bool = False
    last_interaction: datetime | None = None
    window_count: int = 0  # free messages the OA sent since the last interaction
    received: list[Received] = field(default_factory=list)
