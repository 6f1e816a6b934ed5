"""What Telegram checks in a call before it acts: markup, locations, formatted text."""

from __future__ import annotations

from typing import Any

from standins.telegram.entities import parse_html
from standins.telegram.params import float_param
from standins.telegram.wire import CALLBACK_DATA_LIMIT, JSON, bad


def check_markup(markup: Any, *, inline_only: bool = False) -> JSON | None:
    """Validate reply_markup like Telegram does, returning it."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('field "inline_keyboard" must be an Array of Arrays')
        for button in (b for row in rows for b in row):
            if not isinstance(button, dict) or not button.get("text"):
                raise bad('can\'t parse inline keyboard button: Field "text" must be a String')
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise bad("BUTTON_DATA_INVALID")
            if len(button) == 1:
                raise bad(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
        return markup
    if inline_only:
        raise bad("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad('field "keyboard" must be an Array of Arrays')
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad("can't parse reply keyboard markup JSON object")


def check_location(params: JSON) -> JSON:
    """A Location object from sendLocation or editMessageLiveLocation parameters."""
    latitude, longitude = float_param(params, "latitude"), float_param(params, "longitude")
    if not -90 <= latitude <= 90:
        raise bad("wrong latitude")
    if not -180 <= longitude <= 180:
        raise bad("wrong longitude")
    location: JSON = {"latitude": latitude, "longitude": longitude}
    for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
        if params.get(key) is not None:
            location[key] = params[key]
    return location


def format_text(
    params: JSON, key: str, *, limit: int, required: bool
) -> tuple[str | None, list[JSON] | None]:
    """Text or caption after parse_mode, with entities; validated like Telegram."""
    text = params.get(key)
    if text is None or text == "":
        if required:
            raise bad("message text is empty")
        return None, None
    text = str(text)
    entities = params.get("entities" if key == "text" else "caption_entities")
    mode = params.get("parse_mode")
    if mode:
        if str(mode).lower() == "html":
            try:
                text, entities = parse_html(text)
            except ValueError as error:
                raise bad(f"can't parse entities: {error}") from None
        elif str(mode).lower() not in ("markdown", "markdownv2"):
            raise bad("unsupported parse_mode")
        # Markdown is passed through unparsed: the bot uses HTML.
    if required and not text.strip():
        raise bad("message text is empty")
    if len(text) > limit:
        raise bad("message is too long" if key == "text" else "message caption is too long")
    return text, entities or None
