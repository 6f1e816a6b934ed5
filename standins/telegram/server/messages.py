"""Methods that put a message into a chat or take one away (files apart)."""

from __future__ import annotations

from typing import Any

from standins.telegram.checks import check_location, check_markup, format_text
from standins.telegram.params import int_param
from standins.telegram.server.core import StandInCore
from standins.telegram.server.request import Request
from standins.telegram.wire import CAPTION_LIMIT, JSON, TEXT_LIMIT, bad


class MessageMethods(StandInCore):
    """sendMessage, sendLocation, copyMessage, sendChatAction, deleteMessage."""

    async def _send_message(self, request: Request) -> Any:
        params = request.params
        chat = self._chat(request)
        self._check_limits(chat, params.get("allow_paid_broadcast") is True)
        text, entities = format_text(params, "text", limit=TEXT_LIMIT, required=True)
        markup = check_markup(params.get("reply_markup"))
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        if isinstance(params.get("link_preview_options"), dict):
            content["link_preview_options"] = params["link_preview_options"]
        return self._new_message(request, chat, content, markup)

    async def _send_location(self, request: Request) -> Any:
        params = request.params
        chat = self._chat(request)
        self._check_limits(chat, params.get("allow_paid_broadcast") is True)
        location = check_location(params)
        return self._new_message(
            request, chat, {"location": location}, check_markup(params.get("reply_markup"))
        )

    async def _copy_message(self, request: Request) -> Any:
        params = request.params
        chat = self._chat(request)
        source = self._chat(request, key="from_chat_id")
        message_id = int_param(params, "message_id")
        original = source.user_messages.get(message_id)
        stored_original = source.messages.get(message_id)
        if stored_original is not None:
            original = stored_original.message
        if original is None:
            raise bad("message to copy not found")
        self._check_limits(chat, params.get("allow_paid_broadcast") is True)
        keys = ("text", "entities", "location", "venue", "document", "photo", "caption")
        content = {key: original[key] for key in keys if key in original}
        if "caption" in params:
            caption, entities = format_text(params, "caption", limit=CAPTION_LIMIT, required=False)
            content.pop("caption_entities", None)
            content.update({"caption": caption} if caption else {})
            content.update({"caption_entities": entities} if entities else {})
        file = stored_original.file if stored_original else None
        markup = check_markup(params.get("reply_markup"))
        message = self._new_message(request, chat, content, markup, file)
        return {"message_id": message["message_id"]}

    async def _send_chat_action(self, request: Request) -> Any:
        self._chat(request)
        if not request.params.get("action"):
            raise bad("action is empty")
        return True

    async def _delete_message(self, request: Request) -> Any:
        chat = self._chat(request)
        message_id = int_param(request.params, "message_id")
        stored = chat.messages.pop(message_id, None)
        if stored is not None:
            stored.deleted = True
        elif chat.user_messages.pop(message_id, None) is None:
            raise bad("message to delete not found")
        return True
