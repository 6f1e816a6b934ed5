"""Telegram's command menu, per role."""

from __future__ import annotations

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from bot.catalogue import plain
from bot.officers import OfficerView
from bot.services import Services

# Commands everyone sees in Telegram's menu, and those an officer sees instead.
EVERYONE_COMMANDS = ("start", "report", "help", "language")
OFFICER_COMMANDS = (
    "alerts",
    "worklist",
    "cases",
    "register",
    "case",
    "newlink",
    "channel",
    "export",
    "times",
    "whoami",
    "web",
    "reports",
    "help",
    "language",
)
# A person in isolation, once enrolled: check in, call for help, days left.
PERSON_COMMANDS = ("checkin", "sos", "status", "help", "language")


def commands_for(names: tuple[str, ...], language: str) -> list[BotCommand]:
    """Menu entries with descriptions from the catalogue."""
    return [BotCommand(name, plain(language, f"command.{name}")) for name in names]


async def set_default_commands(bot: Bot, services: Services) -> None:
    """The menu for everyone (officers' and people's menus are set per chat when granted)."""
    # One menu in the deployment's language, not one per client language: Telegram has no
    # Vietnamese interface, so Vietnamese users mostly report 'en' and would get English.
    # Per-chat menus are not re-sent at start-up: Telegram keeps them, and thousands of
    # calls would hold up every start of every worker.
    await bot.set_my_commands(
        commands_for(EVERYONE_COMMANDS, services.settings.deployment.language),
        scope=BotCommandScopeDefault(),
    )


async def set_officer_commands(bot: Bot, services: Services, officer: OfficerView) -> None:
    """Give an officer's private chat the officer menu, in the officer's language."""
    language = await services.preferences.language(officer.telegram_user_id)
    await bot.set_my_commands(
        commands_for(OFFICER_COMMANDS, language),
        scope=BotCommandScopeChat(officer.telegram_user_id),
    )


async def set_person_commands(bot: Bot, services: Services, chat_id: int) -> None:
    """Give an enrolled person's chat the person menu (/checkin, /sos, /status)."""
    language = await services.preferences.language(chat_id)
    await bot.set_my_commands(
        commands_for(PERSON_COMMANDS, language), scope=BotCommandScopeChat(chat_id)
    )
