"""Methods that change a message the bot sent: text, caption, keyboard, live location."""

from __future__ import annotations

from typing import Any, Literal

from standins.telegram.checks import check_location, check_markup, format_text
from standins.telegram.params import int_param
from standins.telegram.records import BotMessage, Chat
from standins.telegram.server.core import StandInCore
from standins.telegram.server.request import Request
from standins.telegram.wire import CAPTION_LIMIT, JSON, NOT_MODIFIED, TEXT_LIMIT, bad


class EditMethods(StandInCore):
    """editMessageText, editMessageCaption, editMessageReplyMarkup, live locations."""

    def _edited(self, request: Request) -> tuple[Chat, BotMessage]:
        """The bot message an edit targets."""
        if request.params.get("inline_message_id"):
            raise bad("message to edit not found")  # inline messages are not simulated
        chat = self._chat(request)
        stored = chat.messages.get(int_param(request.params, "message_id"))
        if stored is None:
            raise bad("message to edit not found")
        return chat, stored

    def _replace(self, request: Request, stored: BotMessage, message: JSON) -> JSON:
        message["edit_date"] = self._date()
        stored.message = message
        request.message = stored
        return message

    async def _edit_message_text(self, request: Request) -> Any:
        return self._edit_text(request, "text")

    async def _edit_message_caption(self, request: Request) -> Any:
        return self._edit_text(request, "caption")

    def _edit_text(self, request: Request, key: Literal["text", "caption"]) -> JSON:
        _, stored = self._edited(request)
        old = stored.message
        if key == "text" and "text" not in old:
            raise bad("there is no text in the message to edit")
        if key == "caption" and not ("document" in old or "photo" in old):
            raise bad("there is no caption in the message to edit")
        limit = TEXT_LIMIT if key == "text" else CAPTION_LIMIT
        text, entities = format_text(request.params, key, limit=limit, required=key == "text")
        markup = check_markup(request.params.get("reply_markup"), inline_only=True)
        entities_key = "entities" if key == "text" else "caption_entities"
        if (
            text == old.get(key)
            and entities == old.get(entities_key)
            and markup == old.get("reply_markup")
        ):
            raise bad(NOT_MODIFIED)
        message = {k: v for k, v in old.items() if k not in (key, entities_key, "reply_markup")}
        message.update({key: text} if text else {})
        message.update({entities_key: entities} if entities else {})
        # An edit without reply_markup removes the inline keyboard, as in Telegram.
        message.update({"reply_markup": markup} if markup else {})
        stored.reply_markup = markup
        return self._replace(request, stored, message)

    async def _edit_message_reply_markup(self, request: Request) -> Any:
        _, stored = self._edited(request)
        markup = check_markup(request.params.get("reply_markup"), inline_only=True)
        if markup == stored.message.get("reply_markup"):
            raise bad(NOT_MODIFIED)
        message = {k: v for k, v in stored.message.items() if k != "reply_markup"}
        message.update({"reply_markup": markup} if markup else {})
        stored.reply_markup = markup
        return self._replace(request, stored, message)

    async def _edit_message_live_location(self, request: Request) -> Any:
        _, stored = self._edited(request)
        if not stored.live:
            raise bad("message can't be edited")
        location = check_location(request.params)
        location.setdefault("live_period", (stored.location or {}).get("live_period"))
        markup = check_markup(request.params.get("reply_markup"), inline_only=True)
        same_markup = markup is None or markup == stored.message.get("reply_markup")
        if location == stored.location and same_markup:
            raise bad(NOT_MODIFIED)
        message = {**stored.message, "location": location}
        if markup is not None:
            message["reply_markup"] = markup
        return self._replace(request, stored, message)

    async def _stop_message_live_location(self, request: Request) -> Any:
        _, stored = self._edited(request)
        if not stored.live:
            raise bad("message can't be edited")
        stored.live = False
        markup = check_markup(request.params.get("reply_markup"), inline_only=True)
        message = {k: v for k, v in stored.message.items() if k != "reply_markup"}
        message.update({"reply_markup": markup} if markup else {})
        return self._replace(request, stored, message)
