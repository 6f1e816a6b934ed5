"""What is to be said to one person, whatever channel carries it.

Services build these and never a channel's wire format: a renderer per channel says how
(`bot/messaging/telegram/render.py` for Telegram's text, inline and reply keyboards and
map pins). The outbox stores them as JSON (`to_json`, `from_json`) and renders them at send
time, so that a second channel needs a renderer and a transport, not a change in every
service.

A text is catalogue text (`bot.catalogue.t`): words with a small markup, `<b>`, `<i>`,
`<u>`, `<s>`, `<code>`, `<pre>`, `<a href>` and `<tg-spoiler>` at most, every parameter
escaped. Telegram shows it as HTML; a channel without markup (Zalo, SMS) strips the tags
and unescapes the rest. A `Choice` is an action the person may take: its `action` is
opaque data that comes back when they take it (Telegram's callback data, a Zalo button's
payload, an SMS reply code's meaning) and is checked again by the service on use.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Telegram's limit for callback data; Zalo's payloads allow more, SMS codes map to it.
MAX_ACTION_BYTES = 64


@dataclass(frozen=True, slots=True)
class Choice:
    """An action the person can take with one tap (or a reply code)."""

    label: str
    action: str

    def __post_init__(self) -> None:
        if len(self.action.encode("utf-8")) > MAX_ACTION_BYTES:
            raise ValueError("an action's data is over 64 bytes")


@dataclass(frozen=True, slots=True)
class Link:
    """A button that opens a web address."""

    label: str
    url: str


Button = Choice | Link
Buttons = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True, slots=True)
class LocationRequest:
    """Ask for the current location in one tap; `alternatives` are answers to type instead."""

    label: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Text:
    """A message: catalogue text, the actions under it, or answers to give in one tap.

    `buttons` are actions on the message itself; `location_request` and `answers` are
    offered beside the keyboard (Telegram's reply keyboard, Zalo's quick replies, SMS codes).
    """

    text: str
    buttons: Buttons = ()
    location_request: LocationRequest | None = None
    # The last one-tap offer is answered: its keyboard goes away.
    close_request: bool = False
    # Words the person may send back with one tap ("skip"), without a location request.
    answers: tuple[str, ...] = ()
    # Whether a link in the text may unfold into a preview (lists of names need none).
    link_preview: bool = True


@dataclass(frozen=True, slots=True)
class Pin:
    """A place on a map (where the person is, where a report was made)."""

    latitude: float
    longitude: float
    accuracy_m: float | None = None


@dataclass(frozen=True, slots=True)
class Picture:
    """An image with a caption: bytes to upload, or a file the channel already holds."""

    caption: str = ""
    content: bytes | None = None
    channel_file_id: str | None = None
    filename: str = "chart.png"


@dataclass(frozen=True, slots=True)
class Document:
    """A file with a caption: bytes to upload, or a file the channel already holds."""

    filename: str
    caption: str = ""
    content: bytes | None = None
    channel_file_id: str | None = None


Content = Text | Pin | Picture | Document


def rows(*rows: Sequence[Button]) -> Buttons:
    """Buttons from rows, for a literal keyboard."""
    return tuple(tuple(row) for row in rows)


def one_per_row(buttons: Sequence[Button]) -> Buttons:
    """Each button on a row of its own."""
    return tuple((button,) for button in buttons)


# ---- storage ------------------------------------------------------------------------------


def to_json(content: Content) -> tuple[str, dict[str, Any]]:
    """The outbox's kind and JSON body for a content."""
    if isinstance(content, Text):
        body: dict[str, Any] = {"text": content.text}
        if content.buttons:
            body["buttons"] = [[_button_json(b) for b in row] for row in content.buttons]
        if content.location_request is not None:
            request = content.location_request
            body["location_request"] = {
                "label": request.label,
                "alternatives": list(request.alternatives),
            }
        if content.close_request:
            body["close_request"] = True
        if content.answers:
            body["answers"] = list(content.answers)
        if not content.link_preview:
            body["link_preview"] = False
        return "text", body
    if isinstance(content, Pin):
        body = {"lat": content.latitude, "lon": content.longitude}
        if content.accuracy_m is not None:
            body["accuracy_m"] = content.accuracy_m
        return "pin", body
    kind = "picture" if isinstance(content, Picture) else "document"
    body = {"caption": content.caption, "filename": content.filename}
    if content.content is not None:
        body["content"] = base64.b64encode(content.content).decode("ascii")
    if content.channel_file_id is not None:
        body["channel_file_id"] = content.channel_file_id
    return kind, body


def from_json(kind: str, body: dict[str, Any]) -> Content:
    """The content an outbox row holds."""
    if kind == "text":
        request = body.get("location_request")
        return Text(
            body["text"],
            tuple(tuple(_button(b) for b in row) for row in body.get("buttons", ())),
            LocationRequest(request["label"], tuple(request["alternatives"])) if request else None,
            bool(body.get("close_request")),
            tuple(body.get("answers", ())),
            bool(body.get("link_preview", True)),
        )
    if kind == "pin":
        return Pin(body["lat"], body["lon"], body.get("accuracy_m"))
    raw = body.get("content")
    content = base64.b64decode(raw) if raw is not None else None
    if kind == "picture":
        return Picture(body["caption"], content, body.get("channel_file_id"), body["filename"])
    if kind == "document":
        return Document(body["filename"], body["caption"], content, body.get("channel_file_id"))
    raise ValueError(f"unknown outbox content kind: {kind}")


def _button_json(button: Button) -> dict[str, str]:
    if isinstance(button, Choice):
        return {"label": button.label, "action": button.action}
    return {"label": button.label, "url": button.url}


def _button(data: dict[str, str]) -> Button:
    if "url" in data:
        return Link(data["label"], data["url"])
    return Choice(data["label"], data["action"])
