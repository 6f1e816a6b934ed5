"""Channel-free content as Zalo customer-service messages.

The outbox sender renders a row (`render_stored`) into a call naming the contact and the
content; the transport, which reads the contact (its language, its window), turns the
content into Zalo messages here (`messages`):

- text loses its markup (bot/messaging/markup.py) and is split at paragraphs, then lines,
  to Zalo's 2,000 characters;
- choices become `oa.query.hide` buttons whose payload is the action after ACTION_PREFIX
  (the press comes back as a hidden message, webhook.py reads it as a `Press`); links
  become `oa.open.url` buttons; typed answers (a location request's alternatives, "skip")
  become `oa.query.show` buttons that send the answer as if typed. Zalo takes 5 buttons a
  message: the first 5 go with the text, the rest follow in messages of their own;
- a location request has no button on Zalo (the person shares a location from Zalo's own
  menu, as the services' Zalo texts say): only its typed alternatives become buttons;
- a pin becomes a text with a map link; a picture or a document its caption and a note
  (the OA's media upload is not used);
- Zalo cannot edit a message: an edit that carries choices (the next state of a question)
  is sent as a new message, any other edit is dropped (it would only repeat the old one).
"""

from __future__ import annotations

from typing import Any

from bot.catalogue import plain
from bot.channels import Channel, chat_channel
from bot.channels import contact_id_of as contact_of_chat
from bot.messaging.markup import plain_text
from bot.messaging.message import Choice, Content, Document, Picture, Pin, Text
from bot.messaging.transport import ApiCall
from bot.messaging.zalo import wire

# The call the outbox sender hands the Zalo transport for every row.
SEND = "zalo.send"

Message = dict[str, Any]


def render_stored(
    kind: str,
    body: dict[str, Any],
    chat_id: int,
    *,
    edit_message_id: int | None = None,
    purpose: str = "",
) -> ApiCall:
    """The call for an outbox row to a Zalo contact: who, what, and what it is for."""
    params: dict[str, Any] = {
        "contact_id": contact_id_of(chat_id),
        "kind": kind,
        "body": body,
        "edit": edit_message_id is not None,
        "purpose": purpose,
    }
    return ApiCall(SEND, params)


def contact_id_of(chat_id: int) -> int:
    """The Zalo contact a chat id stands for (ValueError for any other chat)."""
    contact_id = contact_of_chat(chat_id)
    if not contact_id or chat_channel(chat_id) is not Channel.ZALO:
        raise ValueError(f"chat {chat_id} is not a Zalo contact's")
    return contact_id


def messages(content: Content, language: str, *, edit: bool = False) -> list[Message]:
    """The Zalo messages that say `content` (none for an edit that would change nothing)."""
    if isinstance(content, Text):
        if edit and not content.buttons:
            return []
        return text_messages(content, language)
    if isinstance(content, Pin):
        return [{"text": pin_text(content, language)}]
    return [{"text": _file_text(content, language)}]


def text_messages(text: Text, language: str) -> list[Message]:
    """A text with its buttons, in as many messages as Zalo's limits need."""
    words = plain_text(text.text).strip()
    buttons = _buttons(text)
    parts = split_text(words)
    out: list[Message] = [{"text": part} for part in parts[:-1]]
    first, rest = buttons[: wire.MAX_BUTTONS], buttons[wire.MAX_BUTTONS :]
    out.append(_with_buttons(parts[-1], first))
    more = plain(language, "zalo.more_choices")
    for start in range(0, len(rest), wire.MAX_BUTTONS):
        out.append(_with_buttons(more, rest[start : start + wire.MAX_BUTTONS]))
    return out


def pin_text(pin: Pin, language: str) -> str:
    """A place as a map link (Zalo has no map pin an OA can send)."""
    url = f"https://www.google.com/maps?q={pin.latitude:.6f},{pin.longitude:.6f}"
    if pin.accuracy_m:
        return plain(language, "zalo.pin_accuracy", url=url, metres=round(pin.accuracy_m))
    return plain(language, "zalo.pin", url=url)


def split_text(text: str, limit: int = wire.TEXT_LIMIT) -> list[str]:
    """`text` in parts of at most `limit` characters, cut at paragraphs, then lines."""
    if len(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for piece, separator in _pieces(text, limit):
        if not current:
            current = piece
        elif len(current) + len(separator) + len(piece) <= limit:
            current += separator + piece
        else:
            parts.append(current)
            current = piece
    if current:
        parts.append(current)
    return parts


def _pieces(text: str, limit: int) -> list[tuple[str, str]]:
    """Paragraphs that fit, else their lines, else hard cuts, with what joins them."""
    pieces: list[tuple[str, str]] = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= limit:
            pieces.append((paragraph, "\n\n"))
            continue
        for line in paragraph.split("\n"):
            for start in range(0, max(len(line), 1), limit):
                pieces.append((line[start : start + limit], "\n"))
    return pieces


def _buttons(text: Text) -> list[Message]:
    buttons: list[Message] = []
    for row in text.buttons:
        for button in row:
            if isinstance(button, Choice):
                payload = wire.ACTION_PREFIX + button.action
                buttons.append(_button(button.label, wire.QUERY_HIDE, payload))
            else:
                buttons.append(_button(button.label, wire.OPEN_URL, {"url": button.url}))
    answers = text.location_request.alternatives if text.location_request else ()
    for answer in (*answers, *text.answers):
        # Sent back as if typed: exactly what a Telegram reply keyboard sends.
        buttons.append(_button(answer, wire.QUERY_SHOW, answer[: wire.PAYLOAD_LIMIT]))
    return buttons


def _button(label: str, kind: str, payload: str | dict[str, str]) -> Message:
    title = plain_text(label).strip()
    if len(title) > wire.BUTTON_TITLE_LIMIT:
        title = title[: wire.BUTTON_TITLE_LIMIT - 1] + "…"
    return {"title": title, "type": kind, "payload": payload}


def _with_buttons(words: str, buttons: list[Message]) -> Message:
    message: Message = {"text": words}
    if buttons:
        message["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
    return message


def _file_text(content: Picture | Document, language: str) -> str:
    caption = plain_text(content.caption).strip()
    note = plain(language, "zalo.file_not_shown", filename=content.filename)
    return f"{caption}\n\n{note}" if caption else note
