"""A Telegram Bot API stand-in: a real HTTP server on 127.0.0.1 for end-to-end tests.

The real python-telegram-bot Application talks to it through
``ApplicationBuilder().base_url(standin.base_url).base_file_url(standin.base_file_url)``.
It answers with the request and response shapes of the official Bot API, records every
call, enforces Telegram's flood limits with 429 + retry_after, rejects what Telegram
rejects, and lets a test act as private-chat users and wait for the bot's answers.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import math
import mimetypes
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Literal, Self, TypeVar

import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web

JSON = dict[str, Any]
T = TypeVar("T")

# Methods that put a new message into a chat: they are subject to the flood limits and
# are the ones injected faults apply to (the outbox only sends these).
MESSAGE_METHODS = frozenset(
    {"sendMessage", "sendLocation", "sendPhoto", "sendDocument", "copyMessage"}
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64

# PTB sends form fields JSON-encoded except plain strings, so "123" may be an integer or a
# text. These parameters are always strings and must never be JSON-decoded.
_STRING_PARAMS = frozenset(
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
_OBJECT_PARAMS = frozenset(
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

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"


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


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


def _gateway() -> ApiError:
    return ApiError(502, "Bad Gateway")


def _too_many(seconds: float) -> ApiError:
    # Telegram always answers a whole number of seconds, never 0.
    retry = max(1, math.ceil(seconds))
    return ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})


# --------------------------------------------------------------------------------------
# Telegram HTML
# --------------------------------------------------------------------------------------

_TAG_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_CHAR_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]*")
_UNQUOTED = re.compile(r"[^\s>]*")
_SPECIAL = re.compile(r"[<&]")


def utf16_len(text: str) -> int:
    """Length of `text` in UTF-16 code units, the unit of Telegram entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Turn Bot API HTML into plain text and entities; ValueError says why it doesn't parse."""
    out: list[str] = []
    pos = 0  # UTF-16 length of the text produced so far
    # Open tags: (name, UTF-16 start, entity or None, byte offset of the tag).
    stack: list[tuple[str, int, JSON | None, int]] = []
    entities: list[JSON] = []
    i, n = 0, len(source)

    def at(index: int) -> int:  # Telegram reports positions as UTF-8 byte offsets
        return len(source[:index].encode())

    while i < n:
        special = _SPECIAL.search(source, i)
        j = special.start() if special else n
        if j > i:
            chunk = source[i:j]
            out.append(chunk)
            pos += utf16_len(chunk)
            i = j
            continue
        if source[i] == "&":
            # Stricter than Telegram (which keeps a stray '&' literally), as the Bot API
            # documentation demands: a stray '&' means the bot forgot to escape user text.
            m = _CHAR_ENTITY.match(source, i)
            if m is None:
                raise ValueError(f'Unescaped "&" at byte offset {at(i)}, use &amp;')
            named, dec, hexa = m.groups()
            if named:
                char = _NAMED[named]
            else:
                code = int(dec) if dec else int(hexa, 16)
                if not 0 < code <= 0x10FFFF:
                    raise ValueError(f"Invalid character entity at byte offset {at(i)}")
                char = chr(code)
            out.append(char)
            pos += utf16_len(char)
            i = m.end()
            continue
        # A '<' always starts a tag.
        if source.startswith("</", i):
            end = source.find(">", i)
            if end < 0:
                raise ValueError(f"Unclosed end tag at byte offset {at(i)}")
            name = source[i + 2 : end].strip().lower()
            if not stack:
                raise ValueError(f"Unexpected end tag at byte offset {at(i)}")
            tag, start, entity, _ = stack.pop()
            if name != tag:
                raise ValueError(
                    f'Unmatched end tag at byte offset {at(i)}, expected "</{tag}>", '
                    f'found "</{name}>"'
                )
            if entity is not None and pos > start:
                entity["offset"], entity["length"] = start, pos - start
                entities.append(entity)
            i = end + 1
            continue
        raw_name = _run(_TAG_NAME, source, i + 1)
        name = raw_name.lower()
        if name not in _TAG_ENTITY:
            raise ValueError(f'Unsupported start tag "{name}" at byte offset {at(i)}')
        attrs, k = _parse_attributes(source, i + 1 + len(raw_name), name, at(i))
        stack.append((name, pos, _tag_entity(name, attrs, stack, at(i)), at(i)))
        i = k
    if stack:
        raise ValueError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _run(pattern: re.Pattern[str], source: str, start: int) -> str:
    """The text a `*` pattern matches at `start` (possibly empty)."""
    match = pattern.match(source, start)
    return match.group() if match else ""


def _parse_attributes(source: str, k: int, tag: str, offset: int) -> tuple[dict[str, str], int]:
    """Read a start tag's attributes; returns them and the index after '>'."""
    attrs: dict[str, str] = {}
    n = len(source)
    while True:
        while k < n and source[k].isspace():
            k += 1
        if k >= n:
            raise ValueError(f"Unclosed start tag at byte offset {offset}")
        if source[k] == ">":
            return attrs, k + 1
        name = _run(_ATTR_NAME, source, k)
        if not name:
            raise ValueError(f'Empty attribute name in the tag "{tag}" at byte offset {offset}')
        k += len(name)
        value = ""
        if k < n and source[k] == "=":
            k += 1
            if k < n and source[k] in "\"'":
                close = source.find(source[k], k + 1)
                if close < 0:
                    raise ValueError(f"Unclosed start tag at byte offset {offset}")
                value = html.unescape(source[k + 1 : close])
                k = close + 1
            else:
                raw = _run(_UNQUOTED, source, k)
                value, k = html.unescape(raw), k + len(raw)
        attrs[name.lower()] = value


def _tag_entity(
    tag: str, attrs: dict[str, str], stack: list[tuple[str, int, JSON | None, int]], offset: int
) -> JSON | None:
    """The entity a start tag opens (filled in at its end tag), or None if it makes none."""
    kind = _TAG_ENTITY[tag]
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise ValueError(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
    if tag == "a":
        url = attrs.get("href", "")
        return {"type": kind, "url": url} if url else None
    if tag == "tg-emoji":
        if "emoji-id" not in attrs:
            raise ValueError(
                f'Tag "tg-emoji" must have attribute "emoji-id" at byte offset {offset}'
            )
        return {"type": kind, "custom_emoji_id": attrs["emoji-id"]}
    if tag == "code" and stack and stack[-1][0] == "pre" and stack[-1][2] is not None:
        # <pre><code class="language-x"> is one pre entity with a language.
        language = attrs.get("class", "")
        if language.startswith("language-"):
            stack[-1][2]["language"] = language.removeprefix("language-")
            return None
    if tag == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    return {"type": kind}


# --------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------


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


@dataclass(slots=True)
class Limits:
    """Telegram's flood limits as the stand-in enforces them."""

    enabled: bool = True
    overall_per_second: int = 30  # sliding 1-second window over all new messages
    paid_per_second: int = 1000  # for messages sent with allow_paid_broadcast
    per_chat_per_second: float = 1.0
    # A token bucket rather than strict 1/s spacing: Telegram tolerates short bursts in a
    # private chat (an answer plus a follow-up or two) before it starts answering 429.
    per_chat_burst: int = 3

    @classmethod
    def off(cls) -> Limits:
        """No limits at all, for tests that don't care about pacing."""
        return cls(enabled=False)

    @classmethod
    def paid_broadcast(cls) -> Limits:
        """The overall rate a bot gets with paid broadcasts (1,000 a second)."""
        return cls(overall_per_second=1000)


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected answer to the next message-sending call."""

    kind: Literal["retry_after", "bad_gateway", "hang"]
    retry_after: int = 1
    seconds: float = 30.0  # how long a hang lasts at most (the client usually gives up first)
    deliver: bool = False  # hang after delivering the message: only the answer is lost

    @classmethod
    def too_many(cls, retry_after: int = 1) -> Fault:
        """429 Too Many Requests with this retry_after."""
        return cls("retry_after", retry_after=retry_after)

    @classmethod
    def bad_gateway(cls) -> Fault:
        """502 Bad Gateway, as Telegram's front end answers when the backend is down."""
        return cls("bad_gateway")

    @classmethod
    def hang(cls, seconds: float = 30.0, *, deliver: bool = False) -> Fault:
        """No answer until the client gives up (or `seconds` pass, then 502)."""
        return cls("hang", seconds=seconds, deliver=deliver)


@dataclass(slots=True, eq=False)
class _Chat:
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


class _Conn:
    """One HTTP request's view of its connection, for waits that end when the client leaves."""

    __slots__ = ("_event", "gone")

    def __init__(self) -> None:
        self.gone = False
        self._event: asyncio.Event | None = None

    def close(self) -> None:
        """The client closed the connection."""
        self.gone = True
        if self._event is not None:
            self._event.set()

    async def wait(self, waiters: set[asyncio.Event], seconds: float) -> None:
        """Sleep until woken through `waiters`, the client leaves, or `seconds` pass."""
        if self.gone or seconds <= 0:
            return
        event = self._event = self._event or asyncio.Event()
        event.clear()
        waiters.add(event)
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            pass
        finally:
            waiters.discard(event)


@dataclass(slots=True)
class _Request:
    """What a method implementation gets: decoded parameters and uploaded files."""

    params: JSON
    uploads: dict[str, tornado.httputil.HTTPFile]
    conn: _Conn
    chat_id: int | None = None
    message: BotMessage | None = None


def _wake(waiters: set[asyncio.Event]) -> None:
    for event in waiters:
        event.set()


def _coerce(value: str) -> Any:
    """Decode a form value the way Telegram does: JSON if it parses, else the string."""
    if value and value[0] in '{["-0123456789tfn':
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _read_params(request: tornado.httputil.HTTPServerRequest) -> JSON:
    """Parameters from the query string and a form, multipart or JSON body."""
    params: JSON = {}
    for source in (request.query_arguments, request.body_arguments):
        for key, values in source.items():
            text = values[-1].decode("utf-8", "replace")
            params[key] = text if key in _STRING_PARAMS else _coerce(text)
    if request.headers.get("Content-Type", "").startswith("application/json") and request.body:
        body = json.loads(request.body)
        if not isinstance(body, dict):
            raise _bad("request body must be a JSON object")
        for key, value in body.items():
            if key in _OBJECT_PARAMS and isinstance(value, str):
                value = _coerce(value)
            params[key] = value
    return params


def _int(params: JSON, key: str) -> int:
    value = params.get(key)
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(f"{key} is empty" if value in (None, "") else f"invalid {key}") from None


def _float(params: JSON, key: str) -> float:
    value = params.get(key)
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad(f"{key} is empty" if value in (None, "") else f"invalid {key}") from None


def _chat_id_of(params: JSON) -> int | None:
    value = params.get("chat_id")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _check_markup(markup: Any, *, inline_only: bool = False) -> JSON | None:
    """Validate reply_markup like Telegram does, returning it."""
    if markup is None or markup == "":
        return None
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "inline_keyboard" must be an Array of Arrays')
        for button in (b for row in rows for b in row):
            if not isinstance(button, dict) or not button.get("text"):
                raise _bad('can\'t parse inline keyboard button: Field "text" must be a String')
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise _bad("BUTTON_DATA_INVALID")
            if len(button) == 1:
                raise _bad(
                    "can't parse inline keyboard button: "
                    "Text buttons are unallowed in the inline keyboard"
                )
        return markup
    if inline_only:
        raise _bad("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad('field "keyboard" must be an Array of Arrays')
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise _bad("can't parse reply keyboard markup JSON object")


# --------------------------------------------------------------------------------------
# The stand-in
# --------------------------------------------------------------------------------------


class BotApiStandIn:
    """A Bot API server for tests; use as ``async with BotApiStandIn(...) as standin``."""

    def __init__(
        self,
        token: str = "123456789:stand-in-token",
        *,
        bot_username: str = "cachly_test_bot",
        bot_name: str = "Cachly Test",
        clock: Callable[[], datetime] | None = None,
        limits: Limits | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.token = token
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.limits = limits if limits is not None else Limits()
        # Rate limiting runs on real monotonic time because senders pace in real time;
        # a test may pass a fake one to make the limit tests exact.
        self.monotonic = monotonic
        prefix = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(prefix) if prefix.isdigit() else 1,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
        }
        self.calls: list[Call] = []
        self.count_429 = 0
        self.files: dict[str, StoredFile] = {}
        self.webhook: JSON | None = None
        self.commands_by_scope: dict[tuple[Any, ...], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}  # (name|description|..., language)
        self._chats: dict[int, _Chat] = {}
        self._users: dict[int, User] = {}
        self._updates: deque[JSON] = deque()
        self._allowed_updates: list[str] = []
        self._update_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._queries: dict[str, int] = {}  # open callback query id -> chat id
        self._faults: deque[Fault] = deque()
        self._recent_sends: deque[float] = deque()  # monotonic times, last second
        self._files_by_path: dict[str, StoredFile] = {}
        self._poll_waiters: set[asyncio.Event] = set()  # woken by new updates and stop()
        self._stop_waiters: set[asyncio.Event] = set()  # woken by stop() only
        self._call_waiters: set[asyncio.Event] = set()
        self._polling = 0  # getUpdates requests parked in a long poll
        self._mark = 0  # index into calls at the last user action
        self._inflight = 0
        self._idle: asyncio.Event | None = None
        self._closing = False
        self._server: tornado.httpserver.HTTPServer | None = None
        self.port = 0
        self._methods: dict[str, tuple[str, Callable[[_Request], Awaitable[Any]]]] = {
            name.lower(): (name, fn)
            for name, fn in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "setMyCommands": self._set_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "getMyCommands": self._get_my_commands,
                "setMyName": self._set_bot_text("name"),
                "setMyDescription": self._set_bot_text("description"),
                "setMyShortDescription": self._set_bot_text("short_description"),
                "getMyName": self._get_bot_text("name"),
                "getMyDescription": self._get_bot_text("description"),
                "getMyShortDescription": self._get_bot_text("short_description"),
                "setChatMenuButton": self._set_chat_menu_button,
                "getChatMenuButton": self._get_chat_menu_button,
                "getChat": self._get_chat,
                "sendMessage": self._send_message,
                "sendLocation": self._send_location,
                "sendPhoto": self._send_photo,
                "sendDocument": self._send_document,
                "copyMessage": self._copy_message,
                "editMessageText": self._edit_message_text,
                "editMessageCaption": self._edit_message_caption,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "editMessageLiveLocation": self._edit_message_live_location,
                "stopMessageLiveLocation": self._stop_message_live_location,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "deleteMessage": self._delete_message,
                "getFile": self._get_file,
                "logOut": self._true,
                "close": self._true,
            }.items()
        }

    # ---- lifecycle ---------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The Bot API base URL for PTB (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """The file download base URL for PTB (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def start(self) -> None:
        """Listen on an ephemeral port of 127.0.0.1 on the running event loop."""
        app = tornado.web.Application(
            [
                (r"/bot([^/]*)/([A-Za-z]+)", _ApiHandler, {"standin": self}),
                (r"/file/bot([^/]*)/(.+)", _FileHandler, {"standin": self}),
            ],
            log_function=lambda handler: None,  # access logs would cost time at 1,000/s
        )
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        self._closing = False

    async def stop(self) -> None:
        """Answer parked long polls and hangs, then close every connection."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.stop()
        self._closing = True
        _wake(self._poll_waiters)
        _wake(self._stop_waiters)
        if self._inflight:
            self._idle = asyncio.Event()
            async with asyncio.timeout(5):
                await self._idle.wait()
        await server.close_all_connections()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # ---- acting as users ---------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Test",
        language_code: str = "vi",
        username: str | None = None,
        last_name: str | None = None,
    ) -> User:
        """A simulated user in a private chat with the bot (the same object per id)."""
        if user_id in self._users:
            return self._users[user_id]
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        chat: JSON = {"id": user_id, "type": "private", "first_name": first_name}
        for key, value in (("last_name", last_name), ("username", username)):
            if value is not None:
                user[key] = chat[key] = value
        user["language_code"] = language_code
        self._chats[user_id] = _Chat(user=user, chat=chat)
        self._users[user_id] = handle = User(self, self._chats[user_id])
        return handle

    def _push_update(self, kind: str, payload: JSON) -> None:
        """Queue an update for getUpdates and wake a parked long poll."""
        self._mark = len(self.calls)
        if self._allowed_updates and kind not in self._allowed_updates:
            return  # Telegram doesn't even queue updates of types the bot didn't ask for
        self._updates.append({"update_id": next(self._update_ids), kind: payload})
        _wake(self._poll_waiters)

    # ---- inspection --------------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """The current position in `calls`, for waits that start from now."""
        return len(self.calls)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is parked waiting for an update."""
        return self._polling > 0

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, current state, oldest first."""
        chat = self._chats.get(chat_id)
        return list(chat.messages.values()) if chat else []

    def calls_of(self, method: str) -> list[Call]:
        """All recorded calls of one method."""
        return [call for call in self.calls if call.method == method]

    def commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        """The commands set for a scope (default scope if None) and language."""
        return self.commands_by_scope.get(_scope_key(scope, language_code), [])

    def file(self, file_id: str) -> StoredFile:
        """A stored file by id."""
        return self.files[file_id]

    def inject_faults(self, faults: Iterable[Fault]) -> None:
        """Queue answers for the next message-sending calls, each used once."""
        self._faults.extend(faults)

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (a safety net, not a way to wait)
        since: int | None = None,
    ) -> Call:
        """The first call of `method` since the last user action (or `since`) that matches."""
        start = self._mark if since is None else since

        def check(call: Call) -> Call | None:
            if call.method == method and (predicate is None or predicate(call)):
                return call
            return None

        def describe() -> str:
            seen = [f"{c.method}({c.status})" for c in self.calls[start:]][-30:]
            return f"no {method} call within {timeout}s; calls since then: {seen}"

        call, _ = await self._wait(check, start, timeout, describe)
        return call

    async def wait_for_poll(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until a getUpdates long poll is parked (the bot is idle and listening)."""
        await self._wait_until(lambda: self._polling > 0, timeout, "no getUpdates long poll")

    async def _wait(
        self,
        check: Callable[[Call], T | None],
        start: int,
        seconds: float,
        describe: Callable[[], str],
    ) -> tuple[T, int]:
        """Scan calls from `start` until `check` finds something; returns it and its index."""
        index = start
        event = asyncio.Event()
        self._call_waiters.add(event)
        try:
            async with asyncio.timeout(seconds):
                while True:
                    while index < len(self.calls):
                        found = check(self.calls[index])
                        if found is not None:
                            return found, index
                        index += 1
                    event.clear()
                    await event.wait()
        except TimeoutError:
            raise AssertionError(describe()) from None
        finally:
            self._call_waiters.discard(event)

    async def _wait_until(self, condition: Callable[[], bool], seconds: float, what: str) -> None:
        event = asyncio.Event()
        self._call_waiters.add(event)
        try:
            async with asyncio.timeout(seconds):
                while not condition():
                    event.clear()
                    await event.wait()
        except TimeoutError:
            raise AssertionError(f"{what} within {seconds}s") from None
        finally:
            self._call_waiters.discard(event)

    # ---- request handling --------------------------------------------------------------

    async def _handle(self, token: str, method: str, request: _Request) -> tuple[Call, bool]:
        """Run one Bot API call and record it; returns it and whether to answer at all."""
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        call = Call(name, request.params, _chat_id_of(request.params), self.monotonic())
        fault = None
        if self._faults and name in MESSAGE_METHODS and token == self.token and entry:
            fault = self._faults.popleft()
            if fault.kind == "hang":
                return call, await self._hang(fault, call, request, entry[1])
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found: method not found")
            if fault is not None:
                raise _too_many(fault.retry_after) if fault.kind == "retry_after" else _gateway()
            result = await entry[1](request)
            call.succeed(result)
        except ApiError as error:
            call.fail(error)
            if error.status == 429:
                self.count_429 += 1
        self._record(call, request)
        return call, True

    async def _hang(
        self,
        fault: Fault,
        call: Call,
        request: _Request,
        method: Callable[[_Request], Awaitable[Any]],
    ) -> bool:
        """Withhold the answer until the client leaves; returns whether to answer after all."""
        if fault.deliver:
            try:
                call.succeed(await method(request))
            except ApiError as error:
                call.fail(error)
        # Recorded now, while the client waits, so that tests can see the hang begin.
        self._record(call, request)
        if not self._closing:
            await request.conn.wait(self._stop_waiters, fault.seconds)
        if call.status == 0:
            call.fail(_gateway())
        return not request.conn.gone

    def _record(self, call: Call, request: _Request) -> None:
        if request.chat_id is not None:
            call.chat_id = request.chat_id
        call.message = request.message
        self.calls.append(call)
        _wake(self._call_waiters)

    def _chat(self, request: _Request, *, key: str = "chat_id") -> _Chat:
        """The targeted chat, refusing unknown chats and users who blocked the bot."""
        chat_id = _chat_id_of({"chat_id": request.params.get(key)})
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            if request.params.get(key) in (None, ""):
                raise _bad(f"{key} is empty")
            raise _bad("chat not found")
        if key == "chat_id":
            request.chat_id = chat_id
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _check_limits(self, chat: _Chat, paid: bool) -> None:
        """Answer 429 if one more message now would exceed a flood limit."""
        limits = self.limits
        if not limits.enabled:
            return
        now = self.monotonic()
        recent = self._recent_sends
        while recent and recent[0] <= now - 1.0:
            recent.popleft()
        cap = limits.paid_per_second if paid else limits.overall_per_second
        if len(recent) >= cap:
            # Wait until enough of the last second's sends have left the window.
            raise _too_many(recent[len(recent) - cap] + 1.0 - now)
        rate = limits.per_chat_per_second
        chat.tokens = min(float(limits.per_chat_burst), chat.tokens + (now - chat.refilled) * rate)
        chat.refilled = now
        if chat.tokens < 1.0:
            raise _too_many((1.0 - chat.tokens) / rate)

    def _new_message(
        self,
        request: _Request,
        chat: _Chat,
        content: JSON,
        markup: JSON | None,
        file: StoredFile | None = None,
    ) -> JSON:
        """Store a message the bot sends (limits already checked) and return it."""
        if self.limits.enabled:
            self._recent_sends.append(self.monotonic())
            chat.tokens -= 1.0
        message_id = chat.new_message_id()
        message: JSON = {
            "message_id": message_id,
            "from": self.bot_user,
            "chat": chat.chat,
            "date": self._date(),
            **content,
        }
        if markup is not None and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Message objects only echo inline keyboards
        live = "live_period" in content.get("location", {})
        stored = BotMessage(chat.chat["id"], message_id, message, markup, file, live)
        chat.messages[message_id] = request.message = stored
        return message

    def _date(self, when: datetime | None = None) -> int:
        return int((when or self.clock()).timestamp())

    def _format(
        self, params: JSON, key: str, *, limit: int, required: bool
    ) -> tuple[str | None, list[JSON] | None]:
        """Text or caption after parse_mode, with entities; validated like Telegram."""
        text = params.get(key)
        if text is None or text == "":
            if required:
                raise _bad("message text is empty")
            return None, None
        text = str(text)
        entities = params.get("entities" if key == "text" else "caption_entities")
        mode = params.get("parse_mode")
        if mode:
            if str(mode).lower() == "html":
                try:
                    text, entities = parse_html(text)
                except ValueError as error:
                    raise _bad(f"can't parse entities: {error}") from None
            elif str(mode).lower() not in ("markdown", "markdownv2"):
                raise _bad("unsupported parse_mode")
            # Markdown is passed through unparsed: the bot uses HTML.
        if required and not text.strip():
            raise _bad("message text is empty")
        if len(text) > limit:
            raise _bad("message is too long" if key == "text" else "message caption is too long")
        return text, entities or None

    def _store_file(
        self, content: bytes, folder: str, filename: str | None, mime_type: str | None
    ) -> StoredFile:
        number = next(self._file_ids)
        suffix = (
            "." + filename.rsplit(".", 1)[1]
            if filename and "." in filename
            else (mimetypes.guess_extension(mime_type or "") or "")
        )
        stored = StoredFile(
            file_id=f"standin-file-{number}",
            file_unique_id=f"unique-{number}",
            file_path=f"{folder}/file_{number}{suffix}",
            content=content,
            filename=filename,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = self._files_by_path[stored.file_path] = stored
        return stored

    def _file_param(self, request: _Request, key: str, folder: str) -> StoredFile:
        """The file a send method carries: an upload, an attach:// upload or a file_id."""
        value = request.params.get(key)
        name = value[9:] if isinstance(value, str) and value.startswith("attach://") else key
        upload = request.uploads.get(name)
        if upload is not None:
            request.params[key] = stored = self._store_file(
                upload.body, folder, upload.filename or None, upload.content_type or None
            )
            return stored
        if isinstance(value, str) and value in self.files:
            return self.files[value]
        if value in (None, ""):
            raise _bad(f"there is no {key} in the request")
        raise _bad("wrong file identifier/HTTP URL specified")

    def _edited(self, request: _Request) -> tuple[_Chat, BotMessage]:
        """The bot message an edit targets."""
        if request.params.get("inline_message_id"):
            raise _bad("message to edit not found")  # inline messages are not simulated
        chat = self._chat(request)
        stored = chat.messages.get(_int(request.params, "message_id"))
        if stored is None:
            raise _bad("message to edit not found")
        return chat, stored

    def _replace(self, request: _Request, stored: BotMessage, message: JSON) -> JSON:
        message["edit_date"] = self._date()
        stored.message = message
        request.message = stored
        return message

    # ---- methods -----------------------------------------------------------------------

    async def _true(self, request: _Request) -> Any:
        return True

    async def _get_me(self, request: _Request) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, request: _Request) -> Any:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        params = request.params
        offset = int(params.get("offset") or 0)
        if offset < 0:  # the last -offset updates; all earlier ones are forgotten
            while len(self._updates) > -offset:
                self._updates.popleft()
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = list(params["allowed_updates"])
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while not self._updates and not self._closing and not request.conn.gone:
            remaining = deadline - loop.time()
            if remaining <= 0:
                break
            self._polling += 1
            _wake(self._call_waiters)  # for wait_for_poll
            try:
                await request.conn.wait(self._poll_waiters, remaining)
            finally:
                self._polling -= 1
        return list(itertools.islice(self._updates, limit))

    async def _set_webhook(self, request: _Request) -> Any:
        if not request.params.get("url"):
            return await self._delete_webhook(request)
        self.webhook = dict(request.params)
        return True

    async def _delete_webhook(self, request: _Request) -> Any:
        self.webhook = None
        if request.params.get("drop_pending_updates") is True:
            self._updates.clear()
        return True

    async def _get_webhook_info(self, request: _Request) -> Any:
        info: JSON = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates:
            info["allowed_updates"] = self._allowed_updates
        return info

    async def _set_my_commands(self, request: _Request) -> Any:
        commands = request.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("commands must be an Array of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(
                r"[a-z0-9_]{1,32}", str(command.get("command", ""))
            ):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad("command description must be 1-256 characters")
        key = _scope_key(request.params.get("scope"), request.params.get("language_code", ""))
        self.commands_by_scope[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _delete_my_commands(self, request: _Request) -> Any:
        key = _scope_key(request.params.get("scope"), request.params.get("language_code", ""))
        self.commands_by_scope.pop(key, None)
        return True

    async def _get_my_commands(self, request: _Request) -> Any:
        key = _scope_key(request.params.get("scope"), request.params.get("language_code", ""))
        return self.commands_by_scope.get(key, [])

    def _set_bot_text(self, what: str) -> Callable[[_Request], Awaitable[Any]]:
        async def set_text(request: _Request) -> Any:
            language = str(request.params.get("language_code", ""))
            self.bot_texts[(what, language)] = str(request.params.get(what, ""))
            return True

        return set_text

    def _get_bot_text(self, what: str) -> Callable[[_Request], Awaitable[Any]]:
        async def get_text(request: _Request) -> Any:
            language = str(request.params.get("language_code", ""))
            return {what: self.bot_texts.get((what, language), "")}

        return get_text

    async def _set_chat_menu_button(self, request: _Request) -> Any:
        chat_id = self._chat(request).chat["id"] if "chat_id" in request.params else None
        button = request.params.get("menu_button") or {"type": "default"}
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, request: _Request) -> Any:
        chat_id = self._chat(request).chat["id"] if "chat_id" in request.params else None
        return self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "default"}))

    async def _get_chat(self, request: _Request) -> Any:
        chat = self._chats.get(_chat_id_of(request.params) or 0)
        if chat is None:
            raise _bad("chat not found")
        return {
            **chat.chat,
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    async def _send_message(self, request: _Request) -> Any:
        params = request.params
        chat = self._chat(request)
        self._check_limits(chat, params.get("allow_paid_broadcast") is True)
        text, entities = self._format(params, "text", limit=TEXT_LIMIT, required=True)
        markup = _check_markup(params.get("reply_markup"))
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            content["link_preview_options"] = params["link_preview_options"]
        return self._new_message(request, chat, content, markup)

    async def _send_location(self, request: _Request) -> Any:
        params = request.params
        chat = self._chat(request)
        self._check_limits(chat, params.get("allow_paid_broadcast") is True)
        location = _location(params)
        return self._new_message(
            request, chat, {"location": location}, _check_markup(params.get("reply_markup"))
        )

    async def _send_document(self, request: _Request) -> Any:
        return await self._send_file(request, "document")

    async def _send_photo(self, request: _Request) -> Any:
        return await self._send_file(request, "photo")

    async def _send_file(self, request: _Request, kind: Literal["document", "photo"]) -> Any:
        params = request.params
        chat = self._chat(request)
        self._check_limits(chat, params.get("allow_paid_broadcast") is True)
        caption, entities = self._format(params, "caption", limit=CAPTION_LIMIT, required=False)
        markup = _check_markup(params.get("reply_markup"))
        stored = self._file_param(request, kind, "documents" if kind == "document" else "photos")
        content: JSON = {kind: _file_object(stored, kind)}
        if caption:
            content["caption"] = caption
        if entities:
            content["caption_entities"] = entities
        return self._new_message(request, chat, content, markup, stored)

    async def _copy_message(self, request: _Request) -> Any:
        params = request.params
        chat = self._chat(request)
        source = self._chat(request, key="from_chat_id")
        message_id = _int(params, "message_id")
        original = source.user_messages.get(message_id)
        stored_original = source.messages.get(message_id)
        if stored_original is not None:
            original = stored_original.message
        if original is None:
            raise _bad("message to copy not found")
        self._check_limits(chat, params.get("allow_paid_broadcast") is True)
        keys = ("text", "entities", "location", "venue", "document", "photo", "caption")
        content = {key: original[key] for key in keys if key in original}
        if "caption" in params:
            caption, entities = self._format(params, "caption", limit=CAPTION_LIMIT, required=False)
            content.pop("caption_entities", None)
            content.update({"caption": caption} if caption else {})
            content.update({"caption_entities": entities} if entities else {})
        file = stored_original.file if stored_original else None
        markup = _check_markup(params.get("reply_markup"))
        message = self._new_message(request, chat, content, markup, file)
        return {"message_id": message["message_id"]}

    async def _edit_message_text(self, request: _Request) -> Any:
        return self._edit_text(request, "text")

    async def _edit_message_caption(self, request: _Request) -> Any:
        return self._edit_text(request, "caption")

    def _edit_text(self, request: _Request, key: Literal["text", "caption"]) -> JSON:
        _, stored = self._edited(request)
        old = stored.message
        if key == "text" and "text" not in old:
            raise _bad("there is no text in the message to edit")
        if key == "caption" and not ("document" in old or "photo" in old):
            raise _bad("there is no caption in the message to edit")
        limit = TEXT_LIMIT if key == "text" else CAPTION_LIMIT
        text, entities = self._format(request.params, key, limit=limit, required=key == "text")
        markup = _check_markup(request.params.get("reply_markup"), inline_only=True)
        entities_key = "entities" if key == "text" else "caption_entities"
        if (
            text == old.get(key)
            and entities == old.get(entities_key)
            and markup == old.get("reply_markup")
        ):
            raise _bad(_NOT_MODIFIED)
        message = {k: v for k, v in old.items() if k not in (key, entities_key, "reply_markup")}
        message.update({key: text} if text else {})
        message.update({entities_key: entities} if entities else {})
        # An edit without reply_markup removes the inline keyboard, as in Telegram.
        message.update({"reply_markup": markup} if markup else {})
        stored.reply_markup = markup
        return self._replace(request, stored, message)

    async def _edit_message_reply_markup(self, request: _Request) -> Any:
        _, stored = self._edited(request)
        markup = _check_markup(request.params.get("reply_markup"), inline_only=True)
        if markup == stored.message.get("reply_markup"):
            raise _bad(_NOT_MODIFIED)
        message = {k: v for k, v in stored.message.items() if k != "reply_markup"}
        message.update({"reply_markup": markup} if markup else {})
        stored.reply_markup = markup
        return self._replace(request, stored, message)

    async def _edit_message_live_location(self, request: _Request) -> Any:
        _, stored = self._edited(request)
        if not stored.live:
            raise _bad("message can't be edited")
        location = _location(request.params)
        location.setdefault("live_period", (stored.location or {}).get("live_period"))
        markup = _check_markup(request.params.get("reply_markup"), inline_only=True)
        same_markup = markup is None or markup == stored.message.get("reply_markup")
        if location == stored.location and same_markup:
            raise _bad(_NOT_MODIFIED)
        message = {**stored.message, "location": location}
        if markup is not None:
            message["reply_markup"] = markup
        return self._replace(request, stored, message)

    async def _stop_message_live_location(self, request: _Request) -> Any:
        _, stored = self._edited(request)
        if not stored.live:
            raise _bad("message can't be edited")
        stored.live = False
        markup = _check_markup(request.params.get("reply_markup"), inline_only=True)
        message = {k: v for k, v in stored.message.items() if k != "reply_markup"}
        message.update({"reply_markup": markup} if markup else {})
        return self._replace(request, stored, message)

    async def _answer_callback_query(self, request: _Request) -> Any:
        query_id = str(request.params.get("callback_query_id", ""))
        chat_id = self._queries.pop(query_id, None)
        if chat_id is None:
            raise _bad(_QUERY_INVALID)
        request.chat_id = chat_id
        if len(str(request.params.get("text", ""))) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        return True

    async def _send_chat_action(self, request: _Request) -> Any:
        self._chat(request)
        if not request.params.get("action"):
            raise _bad("action is empty")
        return True

    async def _delete_message(self, request: _Request) -> Any:
        chat = self._chat(request)
        message_id = _int(request.params, "message_id")
        stored = chat.messages.pop(message_id, None)
        if stored is not None:
            stored.deleted = True
        elif chat.user_messages.pop(message_id, None) is None:
            raise _bad("message to delete not found")
        return True

    async def _get_file(self, request: _Request) -> Any:
        stored = self.files.get(str(request.params.get("file_id", "")))
        if stored is None:
            raise _bad("invalid file_id")
        return stored.as_file()


def _scope_key(scope: Any, language_code: Any) -> tuple[Any, ...]:
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return (scope.get("type"), scope.get("chat_id"), scope.get("user_id"), language_code or "")


def _location(params: JSON) -> JSON:
    """A Location object from sendLocation or editMessageLiveLocation parameters."""
    latitude, longitude = _float(params, "latitude"), _float(params, "longitude")
    if not -90 <= latitude <= 90:
        raise _bad("wrong latitude")
    if not -180 <= longitude <= 180:
        raise _bad("wrong longitude")
    location: JSON = {"latitude": latitude, "longitude": longitude}
    for key in ("horizontal_accuracy", "live_period", "heading", "proximity_alert_radius"):
        if params.get(key) is not None:
            location[key] = params[key]
    return location


def _file_object(stored: StoredFile, kind: Literal["document", "photo"]) -> Any:
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


# --------------------------------------------------------------------------------------
# Simulated users
# --------------------------------------------------------------------------------------


class User:
    """A simulated Telegram user in a private chat with the bot."""

    def __init__(self, standin: BotApiStandIn, chat: _Chat) -> None:
        self.standin = standin
        self._chat = chat
        self.id: int = chat.user["id"]
        self.chat_id: int = chat.chat["id"]
        self.first_name: str = chat.user["first_name"]
        self.language_code: str = chat.user["language_code"]
        self.cursor = len(standin.calls)  # wait_for_message looks at calls from here
        self.last_query_id: str | None = None
        self._query_cursor = self.cursor

    # ---- state -------------------------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """The bot's messages in this chat, current state, oldest first."""
        return list(self._chat.messages.values())

    @property
    def last_message(self) -> BotMessage | None:
        """The bot's latest message in this chat that still exists."""
        return next(reversed(self._chat.messages.values()), None)

    @property
    def blocked(self) -> bool:
        """Whether this user has blocked the bot."""
        return self._chat.blocked

    def block(self) -> None:
        """Block the bot: sends to this chat get 403 from now on."""
        self._chat.blocked = True

    def unblock(self) -> None:
        """Unblock the bot."""
        self._chat.blocked = False

    # ---- actions -----------------------------------------------------------------------

    def _message(self, content: JSON, date: datetime | None = None) -> JSON:
        message: JSON = {
            "message_id": self._chat.new_message_id(),
            "from": self._chat.user,
            "chat": self._chat.chat,
            "date": self.standin._date(date),
            **content,
        }
        self._chat.user_messages[message["message_id"]] = message
        return message

    def _send(self, content: JSON, date: datetime | None = None) -> int:
        message = self._message(content, date)
        self.standin._push_update("message", message)
        self.cursor = len(self.standin.calls)
        return int(message["message_id"])

    async def send_text(self, text: str, date: datetime | None = None) -> int:
        """Send a text; a leading /command gets its bot_command entity. Returns message_id."""
        content: JSON = {"text": text}
        command = re.match(r"/\S+", text)
        if command:
            length = utf16_len(command.group())
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._send(content, date)

    async def send_location(
        self,
        latitude: float,
        longitude: float,
        horizontal_accuracy: float | None = None,
        live_period: int | None = None,
        forward: bool = False,
        date: datetime | None = None,
    ) -> int:
        """Send a location (live if live_period is set, forwarded if forward). Returns its id."""
        location: JSON = {"latitude": latitude, "longitude": longitude}
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        if live_period is not None:
            location["live_period"] = live_period
        content: JSON = {"location": location}
        if forward:
            # A forwarded location is not the sender's own position; Bot API 7+ marks it
            # with forward_origin only.
            origin_date = self.standin._date(date) - 60
            content["forward_origin"] = {
                "type": "user",
                "sender_user": self._chat.user,
                "date": origin_date,
            }
        return self._send(content, date)

    async def edit_live_location(
        self,
        message_id: int,
        latitude: float,
        longitude: float,
        horizontal_accuracy: float | None = None,
        edit_date: datetime | None = None,
    ) -> None:
        """Move a live location: the bot gets an edited_message, as Telegram sends it."""
        original = self._chat.user_messages.get(message_id)
        if original is None or "live_period" not in original.get("location", {}):
            raise AssertionError(f"message {message_id} is not a live location of this user")
        location: JSON = {
            "latitude": latitude,
            "longitude": longitude,
            "live_period": original["location"]["live_period"],
        }
        if horizontal_accuracy is not None:
            location["horizontal_accuracy"] = horizontal_accuracy
        edited = {
            **original,
            "location": location,
            "edit_date": self.standin._date(edit_date),
        }
        self._chat.user_messages[message_id] = edited
        self.standin._push_update("edited_message", edited)
        self.cursor = len(self.standin.calls)

    async def send_venue(
        self,
        latitude: float,
        longitude: float,
        title: str,
        address: str,
        date: datetime | None = None,
    ) -> int:
        """Send a venue (a place picked from the map). Returns its message_id."""
        location = {"latitude": latitude, "longitude": longitude}
        venue = {"location": location, "title": title, "address": address}
        return self._send({"location": location, "venue": venue}, date)

    async def send_contact(self, phone_number: str) -> int:
        """Share this user's own phone number. Returns its message_id."""
        contact = {
            "phone_number": phone_number,
            "first_name": self.first_name,
            "user_id": self.id,
        }
        return self._send({"contact": contact})

    async def send_document(
        self,
        filename: str,
        content: bytes,
        mime_type: str = "application/octet-stream",
        caption: str | None = None,
    ) -> int:
        """Send a file; the bot can getFile and download it. Returns its message_id."""
        stored = self.standin._store_file(content, "documents", filename, mime_type)
        message: JSON = {"document": _file_object(stored, "document")}
        if caption:
            message["caption"] = caption
        return self._send(message)

    async def send_photo(self, content: bytes, caption: str | None = None) -> int:
        """Send a photo; the bot can getFile and download it. Returns its message_id."""
        stored = self.standin._store_file(content, "photos", None, "image/jpeg")
        message: JSON = {"photo": _file_object(stored, "photo")}
        if caption:
            message["caption"] = caption
        return self._send(message)

    async def press(self, button: str, message: BotMessage | None = None) -> str:
        """Press an inline button (by text or callback_data); returns the callback query id.

        Without `message`, the latest bot message with an inline keyboard in this chat.
        """
        if message is None:
            message = next((m for m in reversed(self._chat.messages.values()) if m.buttons), None)
            if message is None:
                raise AssertionError(f"no bot message with an inline keyboard in {self.chat_id}")
        pressed = message.button(button)
        if "callback_data" not in pressed:
            raise AssertionError(f"button {button!r} has no callback_data: {pressed}")
        query_id = str(next(self.standin._query_ids))
        self.standin._queries[query_id] = self.chat_id
        self.standin._push_update(
            "callback_query",
            {
                "id": query_id,
                "from": self._chat.user,
                "message": message.message,
                "chat_instance": f"instance-{self.chat_id}",
                "data": pressed["callback_data"],
            },
        )
        self.last_query_id = query_id
        self.cursor = self._query_cursor = len(self.standin.calls)
        return query_id

    # ---- waiting -----------------------------------------------------------------------

    async def wait_for_message(
        self,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (a safety net, not a way to wait)
        since: int | None = None,
    ) -> BotMessage:
        """The next new bot message to this chat after the user's last action (or `since`)."""
        start = self.cursor if since is None else since

        def check(call: Call) -> BotMessage | None:
            found = call.message
            if (
                found is not None
                and call.chat_id == self.chat_id
                and call.method in MESSAGE_METHODS
                and call.ok
                and (predicate is None or predicate(found))
            ):
                return found
            return None

        found, index = await self.standin._wait(check, start, timeout, self._describe(start))
        self.cursor = index + 1
        return found

    async def wait_for_answer(
        self,
        query_id: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 (a safety net, not a way to wait)
    ) -> Call:
        """The bot's answerCallbackQuery to a press (default: the last one)."""
        wanted = query_id or self.last_query_id
        if wanted is None:
            raise AssertionError("no button was pressed")
        return await self.standin.wait_for_call(
            "answerCallbackQuery",
            lambda call: str(call.params.get("callback_query_id")) == wanted,
            timeout,
            since=self._query_cursor,
        )

    def _describe(self, start: int) -> Callable[[], str]:
        def describe() -> str:
            received = "".join(
                f"\n  {c.method} {c.status} {c.message.text if c.message else c.description!r:.80}"
                for c in self.standin.calls[start:]
                if c.chat_id == self.chat_id
            )
            return (
                f"no new bot message for chat {self.chat_id}; it received:{received or ' nothing'}"
            )

        return describe


# --------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------


class _ApiHandler(tornado.web.RequestHandler):
    """POST (or GET) /bot<token>/<method>."""

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin
        self.conn = _Conn()

    def on_connection_close(self) -> None:
        self.conn.close()

    async def post(self, *args: str, **kwargs: str) -> None:
        token, method = args
        standin = self.standin
        standin._inflight += 1
        try:
            try:
                params = _read_params(self.request)
            except (ValueError, ApiError) as error:
                body = (error if isinstance(error, ApiError) else _bad(str(error))).body()
                self._answer(400, body)
                return
            files = {key: files[0] for key, files in self.request.files.items()}
            request = _Request(params, files, self.conn)
            call, answer = await standin._handle(token, method, request)
            if answer and not self.conn.gone:
                self._answer(call.status, call.response)
        finally:
            standin._inflight -= 1
            if standin._inflight == 0 and standin._idle is not None:
                standin._idle.set()

    get = post

    def _answer(self, status: int, body: JSON) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode())


class _FileHandler(tornado.web.RequestHandler):
    """GET /file/bot<token>/<file_path>: downloads of stored files."""

    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    def get(self, *args: str, **kwargs: str) -> None:
        token, path = args
        if token != self.standin.token:
            self.set_status(401)
            self.finish({"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        stored = self.standin._files_by_path.get(path)
        if stored is None:
            self.set_status(404)
            self.finish({"ok": False, "error_code": 404, "description": "Not Found"})
            return
        self.set_header("Content-Type", stored.mime_type or "application/octet-stream")
        self.finish(stored.content)
