"""A Telegram Bot API stand-in: a real HTTP server on 127.0.0.1 for tests, benchmarks and demos.

The real python-telegram-bot Application talks to it through
``ApplicationBuilder().base_url(standin.base_url).base_file_url(standin.base_file_url)``.
It answers with the request and response shapes of the official Bot API, records every
call, enforces Telegram's flood limits with 429 + retry_after, rejects what Telegram
rejects, and lets a caller act as private-chat users and wait for the bot's answers.

Its seams: ``wire``, ``entities``, ``params`` and ``checks`` (the wire format and what
Telegram checks), ``records`` (what it keeps), ``limits`` (flood limits and faults),
``server`` (the stand-in and its tornado handlers) and ``users`` (simulated users).
"""

from standins.telegram.entities import parse_html, utf16_len
from standins.telegram.limits import Fault, Limits
from standins.telegram.records import BotMessage, Call, StoredFile
from standins.telegram.server import BotApiStandIn
from standins.telegram.users import User
from standins.telegram.wire import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    MESSAGE_METHODS,
    TEXT_LIMIT,
    ApiError,
)

__all__ = [
    "CALLBACK_DATA_LIMIT",
    "CAPTION_LIMIT",
    "MESSAGE_METHODS",
    "TEXT_LIMIT",
    "ApiError",
    "BotApiStandIn",
    "BotMessage",
    "Call",
    "Fault",
    "Limits",
    "StoredFile",
    "User",
    "parse_html",
    "utf16_len",
]
