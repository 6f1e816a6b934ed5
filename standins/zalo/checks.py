"""What Zalo checks in a request: the phone a ZNS goes to, a message, its buttons, a
template's data."""

from __future__ import annotations

from standins.zalo import wire
from standins.zalo.records import Template
from standins.zalo.wire import JSON


def canonical_phone(phone: str) -> str | None:
    """84xxxxxxxxx from 84…, +84… or 0… (the forms ZNS takes); None if not a VN mobile."""
    digits = phone.strip().removeprefix("+")
    if digits.startswith("0"):
        digits = "84" + digits[1:]
    if not digits.isdigit() or not digits.startswith("84") or len(digits) != 11:
        return None
    return digits


def message_problem(message: JSON) -> JSON | None:
    text = message.get("text")
    attachment = message.get("attachment")
    if text is None and attachment is None:
        return wire.error(wire.PARAMETER_INVALID, "message needs a text or an attachment")
    if text is not None and (not isinstance(text, str) or not text.strip()):
        return wire.error(wire.PARAMETER_INVALID, "text is empty")
    if isinstance(text, str) and len(text) > wire.TEXT_LIMIT:
        return wire.error(wire.PARAMETER_TOO_LONG, "text exceeds 2000 characters")
    if attachment is None:
        return None
    payload = attachment.get("payload") if isinstance(attachment, dict) else None
    if not isinstance(attachment, dict) or attachment.get("type") != "template":
        return wire.error(wire.PARAMETER_INVALID, "unsupported attachment")
    buttons = payload.get("buttons") if isinstance(payload, dict) else None
    if not isinstance(buttons, list) or not buttons:
        return wire.error(wire.PARAMETER_INVALID, "a template needs its buttons")
    if len(buttons) > wire.MAX_BUTTONS:
        return wire.error(wire.PARAMETER_TOO_LONG, "more than 5 buttons")
    for button in buttons:
        problem = button_problem(button)
        if problem is not None:
            return wire.error(wire.PARAMETER_INVALID, problem)
    return None


def button_problem(button: object) -> str | None:
    if not isinstance(button, dict):
        return "a button is not an object"
    title, kind, payload = button.get("title"), button.get("type"), button.get("payload")
    if not isinstance(title, str) or not title.strip():
        return "a button has no title"
    if len(title) > wire.BUTTON_TITLE_LIMIT:
        return "a button title exceeds 100 characters"
    if kind not in wire.BUTTON_TYPES:
        return f"unknown button type {kind!r}"
    if kind in ("oa.query.show", "oa.query.hide"):
        if not isinstance(payload, str) or not payload or len(payload) > wire.PAYLOAD_LIMIT:
            return "a query button needs a payload of 1 to 1000 characters"
    elif kind == "oa.open.url" and (
        not isinstance(payload, dict) or not str(payload.get("url", "")).startswith("http")
    ):
        return "a link button needs payload.url"
    return None


def template_data_problem(template: Template, data: object) -> str | None:
    if not isinstance(data, dict):
        return "template_data is required"
    given, wanted = set(data), set(template.params)
    if given != wanted:
        missing, extra = sorted(wanted - given), sorted(given - wanted)
        return f"template data does not match the template: missing {missing}, unknown {extra}"
    for name, limit in template.params.items():
        value = data[name]
        if not isinstance(value, str) or not value:
            return f"template data {name} is empty"
        if len(value) > limit:
            return f"template data {name} is break max length"
    return None
