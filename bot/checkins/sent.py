"""A prompt reached the person: its window opens in the sender's own unit of work.

The outbox sender tells what it sent (`OutboxSender(on_sent=...)`) in the transaction that
records it, so each check-in's window opens from the moment its prompt was sent, in one
statement for the sender's batch, instead of the tick finding out later by reading every
queued check-in against the outbox (33 ms a tick with a round of 34,000 prompts queued,
and growing with the round). The tick's `sync_sent` still settles what this does not
see: failed prompts, and prompts another path marked sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, exists, or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.checkins.values import MANUAL, OPEN, QUEUED, SPOT
from bot.config import CheckinSettings
from bot.messaging.outbox import SENT
from bot.models import Checkin, OutboxMessage, UTCDateTime

# The outbox purpose of a round's (or spot check's, or /checkin's) first message.
PROMPT = "checkin_prompt"

_CHECKINS = cast(Table, Checkin.__table__)
_OUTBOX = cast(Table, OutboxMessage.__table__)


def _statement() -> Any:
    """Open one queued check-in's window as open_window does (bot/checkins/rounds.py)."""
    kind = _CHECKINS.c.kind
    sent = bindparam("b_sent", type_=UTCDateTime())
    remind = bindparam("b_remind", type_=UTCDateTime())
    close = bindparam("b_close", type_=UTCDateTime())
    spot_close = bindparam("b_spot_close", type_=UTCDateTime())
    return (
        update(_CHECKINS)
        .where(
            _CHECKINS.c.id == bindparam("b_id"),
            _CHECKINS.c.state == QUEUED,
            # Only if the outbox row says sent now: a row a recovery settled meanwhile (its
            # sender was taken for dead) is the tick's to settle, as a failed prompt.
            exists().where(
                and_(_OUTBOX.c.id == _CHECKINS.c.prompt_outbox_id, _OUTBOX.c.state == SENT)
            ),
        )
        .values(
            state=OPEN,
            prompt_sent_at=sent,
            # A spot check and a voluntary /checkin are never reminded; a round is.
            # (no IN list: its parameters would expand, which executemany cannot take)
            remind_at=case((or_(kind == SPOT, kind == MANUAL), None), else_=remind),
            closes_at=case((kind == SPOT, spot_close), else_=close),
            next_action_at=case((kind == SPOT, spot_close), (kind == MANUAL, close), else_=remind),
        )
    )


_OPEN_WINDOW = _statement()


async def prompts_sent(
    checkins: CheckinSettings,
    session: AsyncSession,
    sent: Sequence[tuple[str, int | None, datetime]],
) -> None:
    """Open the windows of the check-ins whose prompts are among `sent` (purpose, ref, when)."""
    reminder = timedelta(minutes=checkins.reminder_minutes)
    window = timedelta(minutes=checkins.window_minutes)
    spot = timedelta(minutes=checkins.spot_window_minutes)
    rows = [
        {
            "b_id": ref,
            "b_sent": at,
            "b_remind": at + reminder,
            "b_close": at + window,
            "b_spot_close": at + spot,
        }
        for purpose, ref, at in sent
        if purpose == PROMPT and ref is not None
    ]
    if rows:
        await session.execute(_OPEN_WINDOW, rows)
