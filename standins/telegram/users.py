"""Simulated users: private-chat users a test acts as, and waits on for the bot's answers."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from standins.telegram.entities import utf16_len
from standins.telegram.records import BotMessage, Call, Chat, file_object
from standins.telegram.wire import JSON, MESSAGE_METHODS

if TYPE_CHECKING:
    from standins.telegram.server.standin import BotApiStandIn


class User:
    """A simulated Telegram user in a private chat with the bot."""

    def __init__(self, standin: BotApiStandIn, chat: Chat) -> None:
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
        message: JSON = {"document": file_object(stored, "document")}
        if caption:
            message["caption"] = caption
        return self._send(message)

    async def send_photo(self, content: bytes, caption: str | None = None) -> int:
        """Send a photo; the bot can getFile and download it. Returns its message_id."""
        stored = self.standin._store_file(content, "photos", None, "image/jpeg")
        message: JSON = {"photo": file_object(stored, "photo")}
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

    async def wait_until_bot_may_send(self, messages: int = 1) -> None:
        """Wait (real time) until Telegram's per-chat flood limit lets the bot send here.

        A simulated person taps far faster than a person reads; waiting like this before an
        action keeps the bot's direct replies to it inside the limit, as reading would.
        """
        limits = self.standin.limits
        if not limits.enabled:
            return
        rate = limits.per_chat_per_second
        wanted = min(float(messages), float(limits.per_chat_burst))
        elapsed = self.standin.monotonic() - self._chat.refilled
        tokens = min(float(limits.per_chat_burst), self._chat.tokens + elapsed * rate)
        if tokens < wanted:
            await asyncio.sleep((wanted - tokens) / rate)

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
