"""The active cases of a chat and the language to speak to them in."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Case, UserPreference
from bot.routing import served


async def chat_cases(session: AsyncSession, chat_id: int) -> list[Case]:
    """The chat's active cases, oldest first (several for a household on one phone)."""
    return list(
        await session.scalars(
            select(Case)
            .where(
                Case.chat_id == chat_id,
                Case.status == "active",
                served(session, Case.province_code),
            )
            .order_by(Case.id)
        )
    )


async def chat_language(session: AsyncSession, chat_id: int, cases: Sequence[Case]) -> str:
    """The language to answer a chat in."""
    # In a private chat the chat id is the user's id: their /language choice wins.
    preference = await session.get(UserPreference, chat_id)
    if preference is not None:
        return preference.language
    return cases[0].language if cases else "vi"


async def languages(session: AsyncSession, cases: Sequence[Case]) -> dict[int, str]:
    """Each case's reading language: its chat's /language choice, else the case's own."""
    chats = {case.chat_id for case in cases if case.chat_id is not None}
    if not chats:
        return {}
    result = await session.execute(
        select(UserPreference.telegram_user_id, UserPreference.language).where(
            UserPreference.telegram_user_id.in_(chats)
        )
    )
    chosen = {user_id: language for user_id, language in result}
    return {case.id: chosen.get(case.chat_id, case.language) for case in cases if case.chat_id}
