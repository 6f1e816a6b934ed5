"""The signed-in officer's row, re-read on every call, so a revocation counts at once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import NotAuthorised
from bot.models import Officer


async def desk_officer(session: AsyncSession, officer_id: int) -> Officer:
    """The active officer or supervisor behind a desk session, or a refusal."""
    officer = await session.get(Officer, officer_id)
    if officer is None or officer.revoked_at is not None:
        raise NotAuthorised()
    return officer
