"""The one Telegram renderer: channel-free content to a Bot API call.

Text goes as HTML (catalogue texts are written for it), choices as an inline keyboard, a
location request as a one-tap reply keyboard, a pin as sendLocation. The outbox sender and
the handlers' reply helper both render through here, so a message looks the same whether it
is a direct reply or queued.
"""

from __future__ import annotations

import base64
from typing import Any

from bot.messaging.message import Buttons, Choice, Content, Picture, Pin, Text, from_json
from bot.messaging.transport import ApiCall

# Telegram shows accuracy circles up to this radius (sendLocation's horizontal_accuracy).
MAX_ACCURACY_M = 1500
# An outbox row that holds a Bot API call as it is (queued before content was channel-free).
TELEGRAM_CALL = "telegram_call"
# A file in a stored Bot API call: "b64:<base64>" (JSON has no bytes).
FILE_PREFIX = "b64:"
FILE_PARAMS = ("photo", "document")
# Methods that put a new message into a chat (and so may carry allow_paid_broadcast).
SEND_METHODS = frozenset({"sendMessage", "sendLocation", "sendPhoto", "sendDocument"})


def render(content: Content, chat_id: int, *, edit_message_id: int | None = None) -> ApiCall:
    """The call that says `content` in `chat_id` (or edits that message, for a text)."""
    if isinstance(content, Text):
        if edit_message_id is not None:
            return _edit(content, chat_id, edit_message_id)
        params: dict[str, Any] = {"chat_id": chat_id, "text": content.text, "parse_mode": "HTML"}
        if not content.link_preview:
            params["link_preview_options"] = {"is_disabled": True}
        markup = reply_markup(content)
        if markup is not None:
            params["reply_markup"] = markup
        return ApiCall("sendMessage", params)
    if isinstance(content, Pin):
        params = {"chat_id": chat_id, "latitude": content.latitude, "longitude": content.longitude}
        if content.accuracy_m:
            params["horizontal_accuracy"] = min(MAX_ACCURACY_M, max(0, int(content.accuracy_m)))
        return ApiCall("sendLocation", params)
    key, method = (
        ("photo", "sendPhoto") if isinstance(content, Picture) else ("document", "sendDocument")
    )
    params = {
        "chat_id": chat_id,
        key: content.channel_file_id if content.content is None else content.content,
        "parse_mode": "HTML",
    }
    if content.caption:
        params["caption"] = content.caption
    if content.content is not None:
        params["filename"] = content.filename
    return ApiCall(method, params)


def render_stored(
    kind: str,
    body: dict[str, Any],
    chat_id: int,
    *,
    edit_message_id: int | None = None,
    purpose: str = "",
) -> ApiCall:
    """The call for an outbox row's content (kind and JSON body); Telegram needs no purpose."""
    if kind == TELEGRAM_CALL:
        params = dict(body["params"])
        for name in FILE_PARAMS:
            value = params.get(name)
            if isinstance(value, str) and value.startswith(FILE_PREFIX):
                params[name] = base64.b64decode(value.removeprefix(FILE_PREFIX))
        if edit_message_id is not None:
            params["message_id"] = edit_message_id
        return ApiCall(body["method"], params)
    return render(from_json(kind, body), chat_id, edit_message_id=edit_message_id)


def call_shows(body: dict[str, Any], content: Text, chat_id: int) -> bool:
    """Whether a stored Bot API call shows the same text and keyboard as `content` would."""
    params = body.get("params", {})
    if "text" not in params:
        return False
    call = render(content, chat_id)
    shown = (params["text"], params.get("reply_markup"))
    return shown == (call.params["text"], call.params.get("reply_markup"))


def is_edit(kind: str, body: dict[str, Any], edit_of_id: int | None) -> bool:
    """Whether an outbox row changes a message already sent rather than sending one."""
    if kind == TELEGRAM_CALL:
        return str(body["method"]).startswith("edit")
    return edit_of_id is not None


def reply_markup(text: Text) -> dict[str, Any] | None:
    """The keyboard of a text: inline choices, a one-tap location request, or its removal."""
    if text.buttons:
        return inline_keyboard(text.buttons)
    keyboard: list[list[dict[str, Any]]] = []
    if text.location_request is not None:
        request = text.location_request
        keyboard.append([{"text": request.label, "request_location": True}])
        keyboard.extend([{"text": alternative}] for alternative in request.alternatives)
    keyboard.extend([{"text": answer}] for answer in text.answers)
    if keyboard:
        return {"keyboard": keyboard, "resize_keyboard": True, "one_time_keyboard": True}
    if text.close_request:
        return {"remove_keyboard": True}
    return None


def inline_keyboard(buttons: Buttons) -> dict[str, Any]:
    """Telegram's inline keyboard for rows of buttons."""
    return {
        "inline_keyboard": [
            [
                {"text": b.label, "callback_data": b.action}
                if isinstance(b, Choice)
                else {"text": b.label, "url": b.url}
                for b in row
            ]
            for row in buttons
        ]
    }


def _edit(content: Text, chat_id: int, message_id: int) -> ApiCall:
    # An edit can carry only an inline keyboard; without one, Telegram removes the old one.
    params: dict[str, Any] = {
        "chat_id": chat_id,
        "message_id": message_id,
        "text": content.text,
        "parse_mode": "HTML",
    }
    if not content.link_preview:
        params["link_preview_options"] = {"is_disabled": True}
    if content.buttons:
        params["reply_markup"] = inline_keyboard(content.buttons)
    return ApiCall("editMessageText", params)
