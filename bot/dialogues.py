"""Multi-step conversations kept in the database, so any process can take the next step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.db import Database
from bot.models import Dialogue

# A conversation left alone this long is forgotten rather than resumed out of the blue.
DIALOGUE_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class DialogueState:
    """Where a user is in a conversation and what they have answered so far."""

    telegram_user_id: int
    chat_id: int
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)


async def current_dialogue(
    session: AsyncSession, telegram_user_id: int, now: datetime
) -> DialogueState | None:
    """The user's conversation, unless there is none or it went stale."""
    row = await session.get(Dialogue, telegram_user_id)
    if row is None or row.updated_at + DIALOGUE_TTL < now:
        return None
    return DialogueState(row.telegram_user_id, row.chat_id, row.flow, row.step, dict(row.data))


async def save_dialogue(session: AsyncSession, state: DialogueState, now: datetime) -> None:
    """Start or advance the user's conversation (one per user: a new one replaces the old)."""
    row = await session.get(Dialogue, state.telegram_user_id)
    if row is None:
        row = Dialogue(telegram_user_id=state.telegram_user_id)
        session.add(row)
    row.chat_id = state.chat_id
    row.flow = state.flow
    row.step = state.step
    row.data = dict(state.data)
    row.updated_at = now


async def end_dialogue(session: AsyncSession, telegram_user_id: int) -> None:
    """Forget the user's conversation."""
    await session.execute(delete(Dialogue).where(Dialogue.telegram_user_id == telegram_user_id))


class DialogueService:
    """Reads and ends conversations in their own unit of work."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def current(self, telegram_user_id: int) -> DialogueState | None:
        """The user's live conversation, if any."""
        async with self._db.transaction() as session:
            return await current_dialogue(session, telegram_user_id, self._clock.now())

    async def save(self, state: DialogueState) -> None:
        """Store a conversation step."""
        async with self._db.transaction() as session:
            await save_dialogue(session, state, self._clock.now())

    async def cancel(self, telegram_user_id: int) -> DialogueState | None:
        """End the user's conversation and return what it was."""
        async with self._db.transaction() as session:
            state = await current_dialogue(session, telegram_user_id, self._clock.now())
            await end_dialogue(session, telegram_user_id)
            return state
