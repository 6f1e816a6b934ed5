"""The callback context every handler receives, and the Application type built around it."""

from __future__ import annotations

from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ExtBot

from bot.services import Services

# bot_data key of the whole deployment's services, beside the bot's own ("services").
DEPLOYMENT_KEY = "deployment"


class CachlyContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context plus the services and the user's language."""

    _language: str | None = None

    @property
    def services(self) -> Services:
        """The services of this process."""
        services: Services = self.application.bot_data["services"]
        return services

    @property
    def deployment(self) -> Services:
        """The services of the whole deployment (every bot's provinces), for the ticks."""
        services: Services = self.application.bot_data.get(DEPLOYMENT_KEY, self.services)
        return services

    async def language(self, update: object) -> str:
        """The language to answer this update's user in (looked up once per update)."""
        if self._language is None:
            user = update.effective_user if isinstance(update, Update) else None
            if user is None:
                self._language = self.services.settings.deployment.language
            else:
                self._language = await self.services.preferences.language(user.id)
        return self._language


# The PTB Application every handler, job and the composition root talk about.
CachlyApplication = Application[Any, CachlyContext, Any, Any, Any, Any]
