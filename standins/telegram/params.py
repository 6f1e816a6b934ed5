"""Reading a Bot API call's parameters from a query string and a form, multipart or JSON body."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

import tornado.httputil

from standins.telegram.wire import JSON, bad

N = TypeVar("N", int, float)

# PTB sends form fields JSON-encoded except plain strings, so "123" may be an integer or a
# text. These parameters are always strings and must never be JSON-decoded.
STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "url",
        "language_code",
        "title",
        "address",
        "secret_token",
        "file_id",
        "inline_message_id",
        "business_connection_id",
        "name",
        "description",
        "short_description",
        "action",
        "photo",
        "document",
        "phone_number",
        "first_name",
        "last_name",
        "foursquare_id",
        "foursquare_type",
        "google_place_id",
        "google_place_type",
        "message_effect_id",
        "ip_address",
    }
)
# Parameters that hold JSON objects; a JSON request body may still carry them as strings.
OBJECT_PARAMS = frozenset(
    {
        "reply_markup",
        "link_preview_options",
        "entities",
        "caption_entities",
        "scope",
        "commands",
        "allowed_updates",
        "reply_parameters",
        "menu_button",
    }
)


def coerce(value: str) -> Any:
    """Decode a form value the way Telegram does: JSON if it parses, else the string."""
    if value and value[0] in '{["-0123456789tfn':
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def read_params(request: tornado.httputil.HTTPServerRequest) -> JSON:
    """Parameters from the query string and a form, multipart or JSON body."""
    params: JSON = {}
    for source in (request.query_arguments, request.body_arguments):
        for key, values in source.items():
            text = values[-1].decode("utf-8", "replace")
            params[key] = text if key in STRING_PARAMS else coerce(text)
    if request.headers.get("Content-Type", "").startswith("application/json") and request.body:
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise bad("request body must be a JSON object")
        for key, value in body.items():
            if key in OBJECT_PARAMS and isinstance(value, str):
                value = coerce(value)
            params[key] = value
    return params


def int_param(params: JSON, key: str) -> int:
    """An integer parameter; 400 Bad Request if it is missing or not a number."""
    return _number(params, key, int)


def float_param(params: JSON, key: str) -> float:
    """A number parameter; 400 Bad Request if it is missing or not a number."""
    return _number(params, key, float)


def _number(params: JSON, key: str, kind: Callable[[Any], N]) -> N:
    value = params.get(key)
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise bad(f"{key} is empty" if value in (None, "") else f"invalid {key}") from None


def chat_id_of(params: JSON) -> int | None:
    """The chat_id parameter as a number, or None if it is not one."""
    value = params.get("chat_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None
