"""BotApiStandIn: the Bot API stand-in as tests, benchmarks and demos start and drive it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Self

import tornado.httpserver
import tornado.netutil
import tornado.web

from standins.telegram.limits import Fault
from standins.telegram.records import BotMessage, Call, Chat, StoredFile
from standins.telegram.server.core import Method
from standins.telegram.server.edits import EditMethods
from standins.telegram.server.files import FileMethods
from standins.telegram.server.http import ApiHandler, FileHandler
from standins.telegram.server.messages import MessageMethods
from standins.telegram.server.request import wake
from standins.telegram.server.setup import SetupMethods, scope_key
from standins.telegram.server.updates import UpdateMethods
from standins.telegram.users import User
from standins.telegram.wire import JSON


class BotApiStandIn(MessageMethods, FileMethods, EditMethods, UpdateMethods, SetupMethods):
    """A Bot API server for tests; use as ``async with BotApiStandIn(...) as standin``."""

    def _method_table(self) -> dict[str, Method]:
        return {
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
                (r"/bot([^/]*)/([A-Za-z]+)", ApiHandler, {"standin": self}),
                (r"/file/bot([^/]*)/(.+)", FileHandler, {"standin": self}),
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
        wake(self._poll_waiters)
        wake(self._stop_waiters)
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
        self._chats[user_id] = Chat(user=user, chat=chat)
        self._users[user_id] = handle = User(self, self._chats[user_id])
        return handle

    # ---- inspection --------------------------------------------------------------------

    @property
    def cursor(self) -> int:
        """The current position in `calls`, for waits that start from now."""
        return len(self.calls)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a getUpdates offset."""
        return len(self._updates)

    def take_updates(self) -> list[JSON]:
        """The queued updates, removed: what Telegram posts to a webhook, in order."""
        taken = list(self._updates)
        self._updates.clear()
        return taken

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
        return self.commands_by_scope.get(scope_key(scope, language_code), [])

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
