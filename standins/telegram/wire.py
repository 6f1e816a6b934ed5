"""The Bot API's wire format as the stand-in answers it: error answers, limits, method groups."""

from __future__ import annotations

import math
from typing import Any

JSON = dict[str, Any]

# Methods that put a new message into a chat: they are subject to the flood limits and
# are the ones injected faults apply to (the outbox only sends these).
MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendLocation", "sendPhoto", "sendDocument", "copyMessage"}
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


class ApiError(Exception):
    """A Bot API error answer (``ok: false``) with its HTTP status."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        """The JSON body Telegram answers with."""
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad(description: str) -> ApiError:
    """400 Bad Request with this description."""
    return ApiError(400, f"Bad Request: {description}")


def gateway() -> ApiError:
    """502 Bad Gateway."""
    return ApiError(502, "Bad Gateway")


def too_many(seconds: float) -> ApiError:
    """429 Too Many Requests, retry after `seconds` rounded up."""
    # Telegram always answers a whole number of seconds, never 0.
    retry = max(1, math.ceil(seconds))
    return ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})
