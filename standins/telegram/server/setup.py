"""Bot setup methods: getMe, commands, the bot's name and descriptions, menu buttons, getChat."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from standins.telegram.params import chat_id_of
from standins.telegram.server.core import StandInCore
from standins.telegram.server.request import Request
from standins.telegram.wire import bad


class SetupMethods(StandInCore):
    """How the bot sets itself up: its commands, texts and menu button, and what it asks."""

    async def _true(self, request: Request) -> Any:
        return True

    async def _get_me(self, request: Request) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_my_commands(self, request: Request) -> Any:
        commands = request.params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad("commands must be an Array of at most 100 BotCommand")
        for command in commands:
            if not isinstance(command, dict) or not re.fullmatch(
                r"[a-z0-9_]{1,32}", str(command.get("command", ""))
            ):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad("command description must be 1-256 characters")
        key = scope_key(request.params.get("scope"), request.params.get("language_code", ""))
        self.commands_by_scope[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _delete_my_commands(self, request: Request) -> Any:
        key = scope_key(request.params.get("scope"), request.params.get("language_code", ""))
        self.commands_by_scope.pop(key, None)
        return True

    async def _get_my_commands(self, request: Request) -> Any:
        key = scope_key(request.params.get("scope"), request.params.get("language_code", ""))
        return self.commands_by_scope.get(key, [])

    def _set_bot_text(self, what: str) -> Callable[[Request], Awaitable[Any]]:
        async def set_text(request: Request) -> Any:
            language = str(request.params.get("language_code", ""))
            self.bot_texts[(what, language)] = str(request.params.get(what, ""))
            return True

        return set_text

    def _get_bot_text(self, what: str) -> Callable[[Request], Awaitable[Any]]:
        async def get_text(request: Request) -> Any:
            language = str(request.params.get("language_code", ""))
            return {what: self.bot_texts.get((what, language), "")}

        return get_text

    async def _set_chat_menu_button(self, request: Request) -> Any:
        chat_id = self._chat(request).chat["id"] if "chat_id" in request.params else None
        button = request.params.get("menu_button") or {"type": "default"}
        self.menu_buttons[chat_id] = button
        return True

    async def _get_chat_menu_button(self, request: Request) -> Any:
        chat_id = self._chat(request).chat["id"] if "chat_id" in request.params else None
        return self.menu_buttons.get(chat_id, self.menu_buttons.get(None, {"type": "default"}))

    async def _get_chat(self, request: Request) -> Any:
        chat = self._chats.get(chat_id_of(request.params) or 0)
        if chat is None:
            raise bad("chat not found")
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


def scope_key(scope: Any, language_code: Any) -> tuple[Any, ...]:
    """The key commands are kept under: scope type, chat, user, language."""
    scope = scope if isinstance(scope, dict) else {"type": "default"}
    return (scope.get("type"), scope.get("chat_id"), scope.get("user_id"), language_code or "")
