"""The live terminal view: what happens as it happens, and the send rate."""

from __future__ import annotations

import time
from collections import Counter, deque
from datetime import datetime

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from cachly.demo.texts import label, says
from cachly.demo.transcript import Line, Transcript

ALERT_KINDS: tuple[str, ...] = (
    "sos",
    "danger_signs",
    "out_of_zone",
    "missed_checkin",
    "unreachable",
)
ALERT_KINDS += ("consent_refused", "home_not_set", "citizen_report")

# What a line of the transcript is, by the catalogue text it shows.
_EVENTS = (
    ("checkin.prompt", "prompts sent"),
    ("checkin.reminder", "reminders"),
    ("location.inside", "at home"),
    ("location.outside_checkin", "away from home"),
    ("sos.sent", "SOS pressed"),
    ("report.receipt", "citizen reports"),
    ("digest.header", "digests"),
)


class LiveView:
    """Counters and the latest events, built from the transcript as it grows."""

    def __init__(self, transcript: Transcript, officer_chat: int, supervisor_chat: int) -> None:
        self.transcript = transcript
        self.officer_chat = officer_chat
        self.supervisor_chat = supervisor_chat
        self.counts: Counter[str] = Counter()
        self.events: deque[str] = deque(maxlen=12)
        self._read = 0
        self._sends: deque[float] = deque()
        self.now: datetime | None = None

    def update(self, now: datetime) -> None:
        """Read the transcript's new lines."""
        self.now = now
        lines = self.transcript.lines
        while self._read < len(lines):
            self._count(lines[self._read])
            self._read += 1

    def _count(self, line: Line) -> None:
        who = self.transcript.names.get(line.chat_id, str(line.chat_id))
        if line.source == "bot":
            self._sends.append(time.monotonic())
        for key, name in _EVENTS:
            if line.source == "bot" and says(line.text, key):
                self.counts[name] += 1
        first = line.text.splitlines()[0] if line.text else ""
        card = line.source == "bot" and any(says(first, f"alert.kind.{k}") for k in ALERT_KINDS)
        if card and line.chat_id == self.officer_chat:
            self.counts["alerts raised"] += 1
            self._event(line, f"ALERT {first} – {line.text.splitlines()[1][:60]}")
        if card and line.chat_id == self.supervisor_chat:
            self.counts["escalated"] += 1
            self._event(line, f"ESCALATED {first}")
        if line.source == "user" and line.text == f"[{label('alert.button.acknowledge')}]":
            self.counts["alerts taken"] += 1
            self._event(line, f"{who} took an alert")
        if line.source == "user" and line.text == f"[{label('alert.button.resolve')}]":
            self.counts["alerts resolved"] += 1
            self._event(line, f"{who} resolved an alert")
        address = self.transcript.addresses.get(line.chat_id)
        if address is not None:
            self._off_telegram(line, address.split()[0], who)
        if line.source == "bot" and says(line.text, "location.outside_checkin"):
            self._event(line, f"{who}: away from home")

    def _off_telegram(self, line: Line, channel: str, who: str) -> None:
        """A line of the person on Zalo or on SMS: counted per channel, the notable ones shown."""
        if line.source == "bot":
            sms = channel == "SMS" or line.text.startswith("SMS: ")
            self.counts["SMS messages" if sms else "Zalo messages"] += 1
            if line.text.startswith("ZNS"):
                self.counts["ZNS templates"] += 1
                self._event(line, f"{who}: outside Zalo's window, a ZNS template went")
            elif line.text.startswith("SMS: "):
                self._event(line, f"{who}: handed on to SMS")
        elif line.text == "SOS" or line.text.startswith("📍"):
            self._event(line, f"{who} ({channel}): {line.text}")

    def _event(self, line: Line, text: str) -> None:
        self.events.append(f"{line.at:%d/%m %H:%M}  {text[:90]}")

    def rate(self) -> float:
        """The bot's messages per second over the last real second."""
        cutoff = time.monotonic() - 1.0
        while self._sends and self._sends[0] < cutoff:
            self._sends.popleft()
        return float(len(self._sends))

    def __rich__(self) -> Panel:
        """The panel rich draws."""
        table = Table.grid(padding=(0, 2))
        names = ["prompts sent", "reminders", "at home", "away from home", "alerts raised"]
        names += ["alerts taken", "escalated", "alerts resolved", "SOS pressed"]
        names += ["citizen reports", "digests", "Zalo messages", "ZNS templates", "SMS messages"]
        for name in names:
            table.add_row(name, str(self.counts[name]))
        table.add_row("messages/s", f"{self.rate():.0f}")
        when = f"{self.now:%A %d/%m %H:%M}" if self.now else ""
        return Panel(
            Group(table, Text(""), Text("\n".join(self.events))),
            title=f"cachly demo – Phường Hạc Thành – {when}",
        )
