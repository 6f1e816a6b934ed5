"""Crash recovery: rows a sender claimed and never settled, because it died mid-call.

A `sending` row names its sender (`claimed_by`); a row whose sender is dead (its beat
stood still, or it has no row in `outbox_senders` at all: bot/messaging/seat.py) is an
orphan, and nobody knows whether the channel got it. Rows claimed by a sender of an older
version name nobody; they are orphans once the claim's lease (`not_before`) ran out. So
that a crash never loses an alert and nothing else is sent twice:

- an edit goes back to `pending`: applying the same edit twice changes nothing;
- an alert copy (priority up to PRIORITY_ALERT) is marked failed and queued again as a
  new row: an officer may at worst see one copy twice, never none;
- anything else (prompts, replies, digests) is marked failed: at most once. Its owner
  sees the failure (a check-in prompt not known to be sent is the check-ins' business).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import Database
from bot.messaging.outbox import FAILED, PENDING, PRIORITY_ALERT, SENDING
from bot.messaging.telegram.render import is_edit
from bot.models import OutboxMessage, SenderInstance

logger = logging.getLogger(__name__)


# (session, old outbox id, new outbox id) -> None; a row was queued again as a new row.
ResentHook = Callable[[AsyncSession, int, int], Awaitable[None]]


async def recover(
    db: Database,
    now: datetime,
    on_resent: ResentHook | None = None,
    *,
    me: str = "",
    dead: list[str] | None = None,
) -> int:
    """Settle the rows of dead senders (see the module's docstring); how many."""
    return len(await settle_orphans(db, now, on_resent, mine=[me] if me else [], dead=dead))


async def settle_orphans(
    db: Database,
    now: datetime,
    on_resent: ResentHook | None = None,
    *,
    mine: Sequence[str] = (),
    dead: list[str] | None = None,
) -> list[str]:
    """Settle the rows of dead senders, but those of the senders `mine`; each one's bot.

    Only `sending` rows are read, through their partial index (ix_outbox_sending): a
    process looks every beat, and the outbox holds every message ever sent.
    """
    claimed_by = OutboxMessage.claimed_by
    # Evaluated with the claim it looks at: a sender's row is committed before its claims.
    nobody = ~exists().where(SenderInstance.id == claimed_by)
    owner_gone = or_(claimed_by.in_(dead), nobody) if dead else nobody
    others = claimed_by.not_in(mine) if mine else claimed_by.is_not(None)
    async with db.transaction() as session:
        orphans = list(
            await session.scalars(
                select(OutboxMessage)
                .where(
                    OutboxMessage.state == SENDING,
                    or_(
                        and_(claimed_by.is_(None), OutboxMessage.not_before <= now),
                        and_(others, owner_gone),
                    ),
                )
                .with_for_update(skip_locked=True)
            )
        )
        for row in orphans:
            await _settle(session, row, now, on_resent)
        if orphans:
            logger.warning("outbox: settled %d rows left by a stopped sender", len(orphans))
        return [row.bot for row in orphans]


async def _settle(
    session: AsyncSession, row: OutboxMessage, now: datetime, on_resent: ResentHook | None
) -> None:
    """One orphan, by kind: an edit again, an alert copy queued anew, anything else failed."""
    if is_edit(row.kind, row.body, row.edit_of_id):
        row.state, row.not_before = PENDING, now
        row.last_error = "retried: the sender stopped during the call"
        return
    if row.priority > PRIORITY_ALERT:
        row.state = FAILED
        row.last_error = "outcome unknown (sender stopped): not sent again"
        return
    again = OutboxMessage(
        bot=row.bot,  # only the bot that wrote to the chat may write again
        chat_id=row.chat_id,
        kind=row.kind,
        body=row.body,
        priority=row.priority,
        purpose=row.purpose,
        ref_id=row.ref_id,
        not_before=now,
        created_at=now,
        state=PENDING,
        attempts=0,
    )
    session.add(again)
    await session.flush()
    row.state = FAILED
    row.last_error = f"outcome unknown (sender stopped); queued again as {again.id}"
    # Edits waiting for the lost copy follow the new one.
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.edit_of_id == row.id).values(edit_of_id=again.id)
    )
    if on_resent is not None:
        await on_resent(session, row.id, again.id)
