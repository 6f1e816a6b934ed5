"""What each simulated user saw and did, in order, for a trainer to read both sides."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from standins.telegram import BotMessage


@dataclass(frozen=True, slots=True)
class Line:
    """One message in one chat: the bot's (`bot`), an edit of one (`edit`), or the user's."""

    at: datetime  # simulated local time
    chat_id: int
    source: str  # "bot", "edit" or "user"
    text: str


@dataclass
class Transcript:
    """Every chat's messages in the order they happened."""

    lines: list[Line] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # chat id -> who holds that phone
    # Sections of people off Telegram: their key -> how they are reached ("Zalo 81…").
    addresses: dict[int, str] = field(default_factory=dict)

    def bot(self, at: datetime, message: BotMessage, *, edited: bool = False) -> Line:
        """Write down a message the bot sent (or edited) in a chat."""
        line = Line(at, message.chat_id, "edit" if edited else "bot", shown(message))
        self.lines.append(line)
        return line

    def said(self, at: datetime, key: int, text: str) -> Line:
        """Write down a message that reached someone off Telegram (Zalo, SMS)."""
        line = Line(at, key, "bot", text)
        self.lines.append(line)
        return line

    def user(self, at: datetime, chat_id: int, text: str) -> Line:
        """Write down what a user did."""
        line = Line(at, chat_id, "user", text)
        self.lines.append(line)
        return line

    def of(self, chat_id: int) -> list[Line]:
        """One chat's lines, in order."""
        return [line for line in self.lines if line.chat_id == chat_id]

    def render(self) -> str:
        """The whole transcript as text: one section per user."""
        marks = {"bot": "bot ", "edit": "bot ✎", "user": "  ▶ "}
        sections = []
        for chat_id, name in self.names.items():
            address = self.addresses.get(chat_id, f"chat {chat_id}")
            lines = [f"=== {name} ({address}) ==="]
            for line in self.of(chat_id):
                text = line.text.replace("\n", "\n" + " " * 20)
                lines.append(f"{line.at:%d/%m %H:%M}  {marks[line.source]:<6} {text}")
            sections.append("\n".join(lines))
        return "\n\n".join(sections) + "\n"

    def write(self, path: Path) -> None:
        """Write the transcript to a UTF-8 text file."""
        path.write_text(self.render(), encoding="utf-8")


def shown(message: BotMessage) -> str:
    """A message as its reader sees it: the text, a pin, a file, and the buttons under it."""
    if message.location is not None:
        text = f"📍 {message.location['latitude']:.5f}, {message.location['longitude']:.5f}"
    elif message.file is not None and "photo" in message.message:
        text = f"🖼 {message.text or ''}".rstrip()
    elif message.file is not None:
        text = f"📎 {message.file.filename or 'file'} {message.text or ''}".rstrip()
    else:
        text = message.text or ""
    buttons = " ".join(f"[{b['text']}]" for b in message.buttons)
    return f"{text}\n{buttons}" if buttons else text
