"""The core of the Bot API stand-in: its state, and how a call is answered and recorded.

The method families (messages, files, edits, updates, bot setup) build on this core;
BotApiStandIn in standins.telegram.server.standin brings them together.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import tornado.httpserver

from standins.telegram.limits import Fault, Limits, check_flood, count_send
from standins.telegram.params import chat_id_of
from standins.telegram.records import BotMessage, Call, Chat, StoredFile
from standins.telegram.server.request import Request, wake
from standins.telegram.wire import JSON, MESSAGE_METHODS, ApiError, bad, gateway, too_many

if TYPE_CHECKING:
    from standins.telegram.users import User

T = TypeVar("T")
Method = Callable[[Request], Awaitable[Any]]


_UPDATE_IDS = itertools.count(1)


def _bot_user(token: str, name: str, username: str) -> JSON:
    """The bot's own User object (getMe): its id is the token's prefix, as on Telegram."""
    prefix = token.split(":", 1)[0]
    return {
        "id": int(prefix) if prefix.isdigit() else 1,
        "is_bot": True,
        "first_name": name,
        "username": username,
    }


class StandInCore:
    """The stand-in's state and how it answers, records and waits for calls."""

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
        self.bot_user = _bot_user(token, bot_name, bot_username)
        self.calls: list[Call] = []
        self.count_429 = 0
        self.faults_answered = 0  # message calls answered by an injected fault
        self.files: dict[str, StoredFile] = {}
        self.webhook: JSON | None = None
        # What getWebhookInfo reports as the last failed delivery (set by a test).
        self.webhook_error: tuple[int, str] | None = None  # (unix time, message)
        self.commands_by_scope: dict[tuple[Any, ...], list[JSON]] = {}
        self.menu_buttons: dict[int | None, JSON] = {}
        self.bot_texts: dict[tuple[str, str], str] = {}  # (name|description|..., language)
        self._chats: dict[int, Chat] = {}
        self._users: dict[int, User] = {}
        self._updates: deque[JSON] = deque()
        self._allowed_updates: list[str] = []
        # Telegram's update ids grow for as long as the bot lives, whatever restarts on our
        # side: one count for every stand-in of this process, so a restarted bot (a second
        # stand-in for the same token) is never handed an update id it already handled.
        self._update_ids = _UPDATE_IDS
        self._file_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._queries: dict[str, int] = {}  # open callback query id -> chat id
        self._faults: deque[Fault] = deque()
        # A fault phase: every message call gets this answer until it is cleared.
        self.fault_mode: Fault | None = None
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
        self._methods: dict[str, tuple[str, Method]] = {
            name.lower(): (name, fn) for name, fn in self._method_table().items()
        }

    def _method_table(self) -> dict[str, Method]:
        """The Bot API methods served, by their names; the families add theirs."""
        raise NotImplementedError

    def _push_update(self, kind: str, payload: JSON) -> None:
        """Queue an update for getUpdates and wake a parked long poll."""
        self._mark = len(self.calls)
        if self._allowed_updates and kind not in self._allowed_updates:
            return  # Telegram doesn't even queue updates of types the bot didn't ask for
        self._updates.append({"update_id": next(self._update_ids), kind: payload})
        wake(self._poll_waiters)

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

    async def _handle(self, token: str, method: str, request: Request) -> tuple[Call, bool]:
        """Run one Bot API call and record it; returns it and whether to answer at all."""
        entry = self._methods.get(method.lower())
        name = entry[0] if entry else method
        call = Call(name, request.params, chat_id_of(request.params), self.monotonic())
        fault = None
        if name in MESSAGE_METHODS and token == self.token and entry:
            fault = self._faults.popleft() if self._faults else self.fault_mode
            if fault is not None:
                self.faults_answered += 1
            if fault is not None and fault.kind == "hang":
                return call, await self._hang(fault, call, request, entry[1])
            if fault is not None and fault.kind == "cut":
                return call, await self._cut(fault, call, request, entry[1])
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if entry is None:
                raise ApiError(404, "Not Found: method not found")
            if fault is not None:
                raise _fault_error(fault)
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
        request: Request,
        method: Method,
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
            call.fail(gateway())
        return not request.conn.gone

    async def _cut(self, fault: Fault, call: Call, request: Request, method: Method) -> bool:
        """Take the request (delivering it if asked), then drop the connection unanswered."""
        if fault.deliver:
            try:
                call.succeed(await method(request))
            except ApiError as error:
                call.fail(error)
        else:
            call.fail(gateway())
        request.cut = True
        self._record(call, request)
        return False

    def _record(self, call: Call, request: Request) -> None:
        if request.chat_id is not None:
            call.chat_id = request.chat_id
        call.message = request.message
        self.calls.append(call)
        wake(self._call_waiters)

    def _chat(self, request: Request, *, key: str = "chat_id") -> Chat:
        """The targeted chat, refusing unknown chats and users who blocked the bot."""
        chat_id = chat_id_of({"chat_id": request.params.get(key)})
        chat = self._chats.get(chat_id) if chat_id is not None else None
        if chat is None:
            if request.params.get(key) in (None, ""):
                raise bad(f"{key} is empty")
            raise bad("chat not found")
        if key == "chat_id":
            request.chat_id = chat_id
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _check_limits(self, chat: Chat, paid: bool) -> None:
        """Answer 429 if one more message now would exceed a flood limit."""
        check_flood(self.limits, self._recent_sends, chat, self.monotonic(), paid)

    def _new_message(
        self,
        request: Request,
        chat: Chat,
        content: JSON,
        markup: JSON | None,
        file: StoredFile | None = None,
    ) -> JSON:
        """Store a message the bot sends (limits already checked) and return it."""
        count_send(self.limits, self._recent_sends, chat, self.monotonic())
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


def _fault_error(fault: Fault) -> ApiError:
    """The error answer of an injected fault that answers at once."""
    if fault.kind == "retry_after":
        return too_many(fault.retry_after)
    if fault.kind == "forbidden":
        return ApiError(403, "Forbidden: bot was blocked by the user")
    return gateway()
