"""Per-user language choice."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import LANGUAGES
from bot.clock import Clock
from bot.db import Database
from bot.errors import UserError
from bot.models import UserPreference


async def language_of(session: AsyncSession, telegram_user_id: int, default: str = "vi") -> str:
    """A user's chosen language inside another unit of work."""
    preference = await session.get(UserPreference, telegram_user_id)
    return preference.language if preference else default


class PreferenceService:
    """Remembers which language each Telegram user reads."""

    def __init__(self, db: Database, clock: Clock, default_language: str) -> None:
        self._db = db
        self._clock = clock
        self.default_language = default_language

    async def language(self, telegram_user_id: int) -> str:
        """The user's language, or the deployment's default."""
        # Telegram has no Vietnamese interface, so most Vietnamese users report 'en' as their
        # client language; only an explicit choice overrides the deployment default.
        async with self._db.transaction() as session:
            return await language_of(session, telegram_user_id, self.default_language)

    async def set_language(self, telegram_user_id: int, language: str) -> str:
        """Store the user's language choice."""
        if language not in LANGUAGES:
            raise UserError("language.unknown")
        async with self._db.transaction() as session:
            preference = await session.get(UserPreference, telegram_user_id)
            if preference is None:
                preference = UserPreference(telegram_user_id=telegram_user_id, language=language)
                session.add(preference)
            preference.language = language
            preference.updated_at = self._clock.now()
        return language
