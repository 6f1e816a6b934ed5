"""What the stand-in keeps: the calls it answered, the bot's messages, files and chats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from standins.telegram.wire import JSON, ApiError


@dataclass(slots=True, eq=False)
class StoredFile:
    """A file in the stand-in's file store: sent by a user or uploaded by the bot."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    filename: str | None = None
    mime_type: str | None = None

    def as_file(self) -> JSON:
        """The Bot API File object (getFile result)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


@dataclass(slots=True, eq=False)
class BotMessage:
    """The current state of one message the bot sent (edits applied)."""

    chat_id: int
    message_id: int
    # As Telegram returns it. Replaced, never mutated, on edit, so recorded responses
    # that share it keep showing what was answered at the time.
    message: JSON
    # As sent, including reply keyboards, which Message objects don't echo.
    reply_markup: JSON | None = None
    file: StoredFile | None = None
    live: bool = False  # a live location that can still be edited
    deleted: bool = False

    @property
    def text(self) -> str | None:
        """The text, or the caption of a document or photo."""
        value = self.message.get("text", self.message.get("caption"))
        return value if isinstance(value, str) else None

    @property
    def location(self) -> JSON | None:
        """The Location object of a location message."""
        value = self.message.get("location")
        return value if isinstance(value, dict) else None

    @property
    def buttons(self) -> list[JSON]:
        """The inline keyboard's buttons, row by row, flattened."""
        markup = self.message.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    def button(self, label: str) -> JSON:
        """The inline button whose text or callback_data is `label`."""
        for button in self.buttons:
            if label in (button.get("text"), button.get("callback_data")):
                return button
        shown = [(b.get("text"), b.get("callback_data")) for b in self.buttons]
        raise AssertionError(f"no button {label!r} on message {self.message_id}: {shown}")


@dataclass(slots=True, eq=False)
class Call:
    """One recorded Bot API call and its answer."""

    method: str
    params: JSON
    chat_id: int | None
    at: float  # time.monotonic() when the request arrived
    status: int = 0  # HTTP status; 0 while a hanging fault has not answered
    # Only the result or the error body is kept (not a whole response per call): a
    # benchmark records 100,000 of these.
    result: Any = None
    error: JSON | None = None
    message: BotMessage | None = None  # the message this call created, if any

    @property
    def ok(self) -> bool:
        """Whether Telegram would have answered ok: true."""
        return self.status == 200

    @property
    def response(self) -> JSON:
        """The JSON body answered."""
        return self.error if self.error is not None else {"ok": True, "result": self.result}

    @property
    def description(self) -> str | None:
        """The error description of a failed call."""
        return None if self.error is None else str(self.error["description"])

    def succeed(self, result: Any) -> None:
        """Record a successful answer."""
        self.status, self.result, self.error = 200, result, None

    def fail(self, error: ApiError) -> None:
        """Record an error answer."""
        self.status, self.result, self.error = error.status, None, error.body()


@dataclass(slots=True, eq=False)
class Chat:
    """A private chat with one simulated user."""

    user: JSON
    chat: JSON
    messages: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, JSON] = field(default_factory=dict)
    next_message_id: int = 1  # one sequence for both sides, as in Telegram
    blocked: bool = False
    tokens: float = 0.0
    refilled: float = float("-inf")  # so the bucket starts full

    def new_message_id(self) -> int:
        """The next message id in this chat."""
        self.next_message_id += 1
        return self.next_message_id - 1


def file_object(stored: StoredFile, kind: Literal["document", "photo"]) -> Any:
    """The Document, or the PhotoSize array, describing a stored file."""
    if kind == "photo":
        # Sizes are not decoded from the image; tests only care about the bytes.
        return [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": 1280,
                "height": 960,
                "file_size": len(stored.content),
            }
        ]
    document: JSON = {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": len(stored.content),
    }
    if stored.filename:
        document["file_name"] = stored.filename
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    return document
