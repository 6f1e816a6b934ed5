"""The outbox sender's database side: which due rows it claims, and what it writes down.

A claim takes due rows of one bot, most urgent first, at most one per chat and none for a
chat still waiting out its interval (`Claims.busy`, kept by the sender), marking each
`sending` under this sender's name so that no other sender or worker takes it. An outcome
(sent, again later, failed) is written only while the row is still this sender's claim:
a row settled meanwhile as an orphan (bot/messaging/recovery.py) keeps what recovery
decided. Statements are built once: building them cost more than running them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Integer, Table, and_, bindparam, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import OutboxSettings
from bot.messaging.outbox import FAILED, PENDING, PRIORITY_ALERT, SENDING, SENT
from bot.messaging.telegram.render import is_edit
from bot.models import OutboxMessage

logger = logging.getLogger(__name__)

# (session, chat id, now) -> None; called in the unit of work that records the failure.
ForbiddenHook = Callable[[AsyncSession, int, datetime], Awaitable[None]]
# A row its channel cannot carry now (OutsideWindow), by id: True if it was handed on to
# another channel (an SMS instead of Zalo), False if the person cannot be reached.
HandOnHook = Callable[[AsyncSession, int, datetime], Awaitable[bool]]
# (session, [(purpose, ref id, sent at)]) -> None; called in the unit of work that records
# the rows as sent, so that their owners learn it at once (a check-in's window opens).
SentHook = Callable[[AsyncSession, list[tuple[str, int | None, datetime]]], Awaitable[None]]


@dataclass(frozen=True)
class Claimed:
    """A claimed row, as much of it as sending needs."""

    id: int
    chat_id: int
    kind: str
    body: dict[str, Any]
    attempts: int
    target_message_id: int | None
    priority: int = 0
    unknown_fates: int = 0
    edit: bool = False
    purpose: str = ""  # what the row is for: a channel's renderer may choose by it
    ref_id: int | None = None  # the row's cause (a check-in's id for a prompt)


@dataclass
class Outcome:
    """What came of one call, waiting to be written down."""

    row: Claimed
    kind: str  # sent | retry | unknown | flood | failed | forbidden | handed_on | released
    message_id: int | None = None
    error: str | None = None
    # A channel's own id for what it sent (an SMS gateway's), kept for delivery reports.
    receipt: str | None = None


# ---- the statements --------------------------------------------------------------------

_OUTBOX = cast(Table, OutboxMessage.__table__)
_TARGET = _OUTBOX.alias("target")
# Candidates without their parameters: a page holds more rows than a claim takes, and
# decoding every candidate's JSON was the sender's largest single cost at 1,000 a second.
_DUE = (
    select(_OUTBOX.c.id, _OUTBOX.c.chat_id, _OUTBOX.c.edit_of_id)
    .where(
        # Each bot's sender takes its own rows only (the due index leads with the bot).
        _OUTBOX.c.bot == bindparam("bot"),
        _OUTBOX.c.state == PENDING,
        _OUTBOX.c.not_before <= bindparam("now"),
        _OUTBOX.c.chat_id.not_in(bindparam("busy", expanding=True)),
        # An edit waits until the message it edits has gone out (or failed).
        or_(
            _OUTBOX.c.edit_of_id.is_(None),
            exists().where(
                and_(_TARGET.c.id == _OUTBOX.c.edit_of_id, _TARGET.c.state.in_((SENT, FAILED)))
            ),
        ),
    )
    # The due index's order: most urgent first, then the longest waiting.
    .order_by(_OUTBOX.c.priority, _OUTBOX.c.not_before, _OUTBOX.c.id)
    .limit(bindparam("page", type_=Integer))
    .with_for_update(skip_locked=True, of=_OUTBOX)
)
# The claim itself: only rows still pending (another sender may have taken some). It
# returns what the calls need, for the rows it took.
_TAKE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _OUTBOX.c.state == PENDING)
    .values(state=SENDING, not_before=bindparam("lease"), claimed_by=bindparam("owner"))
    .returning(
        _OUTBOX.c.id,
        _OUTBOX.c.kind,
        _OUTBOX.c.body,
        _OUTBOX.c.attempts,
        _OUTBOX.c.priority,
        _OUTBOX.c.unknown_fates,
        _OUTBOX.c.purpose,
        _OUTBOX.c.ref_id,
    )
)
_OUTCOME_COLUMNS = (
    "attempts",
    "state",
    "sent_at",
    "message_id",
    "not_before",
    "last_error",
    "unknown_fates",
    "receipt",
)


def _outcome_update(columns: frozenset[str]) -> Any:
    """An executemany UPDATE by id setting `columns` (bound as b_<column>).

    Only while the row is still this sender's claim (b_owner): a row settled meanwhile as
    an orphan (this sender was taken for dead) keeps what recovery decided.
    """
    return (
        update(_OUTBOX)
        .where(
            _OUTBOX.c.id == bindparam("b_id"),
            _OUTBOX.c.state == SENDING,
            _OUTBOX.c.claimed_by == bindparam("b_owner"),
        )
        .values({c: bindparam(f"b_{c}") for c in _OUTCOME_COLUMNS if c in columns})
    )


class Claims:
    """Claims due rows for one sender and writes its calls' outcomes, batched."""

    def __init__(
        self,
        *,
        bot: str,
        owner: str,
        settings: OutboxSettings,
        page: int,
        monotonic: Callable[[], float],
        on_forbidden: ForbiddenHook | None = None,
        on_hand_on: HandOnHook | None = None,
        on_sent: SentHook | None = None,
    ) -> None:
        self.bot = bot  # the key of the bot whose rows it claims
        self._owner = owner  # the sender's seat id, named on every claimed row
        self._settings = settings
        # Candidates read per claim: several due rows may be for one chat, or a busy one.
        self._page = page
        self._monotonic = monotonic
        self._on_forbidden = on_forbidden
        self._on_hand_on = on_hand_on
        self._on_sent = on_sent
        # Chat id -> monotonic time it may get its next message (inf while a call is open).
        self.busy: dict[int, float] = {}
        # Busy chats known to have more due rows: excluded from the claim's query.
        self._backlog: set[int] = set()
        self._updates: dict[frozenset[str], Any] = {}

    async def write(self, session: AsyncSession, outcomes: list[Outcome], now: datetime) -> None:
        """Write `outcomes` down (one executemany per set of columns), then the hooks."""
        settings = self._settings
        by_kind: dict[frozenset[str], list[dict[str, Any]]] = {}
        sent: list[tuple[str, int | None, datetime]] = []
        for outcome in outcomes:
            row = outcome.row
            values = outcome_values(outcome, settings, now)
            if values.get("state") == SENT and row.ref_id is not None:
                sent.append((row.purpose, row.ref_id, now))
            if outcome.kind == "released":
                self.busy.pop(row.chat_id, None)
                self._backlog.discard(row.chat_id)
            bound = {f"b_{key}": value for key, value in values.items()}
            bound["b_owner"] = self._owner
            by_kind.setdefault(frozenset(values), []).append(bound)
        for columns, rows in by_kind.items():
            statement = self._updates.get(columns)
            if statement is None:
                statement = self._updates[columns] = _outcome_update(columns)
            await session.execute(statement, rows)
        if sent and self._on_sent is not None:
            await self._on_sent(session, sent)
        for outcome in outcomes:
            if outcome.kind == "handed_on" and self._on_hand_on is not None:
                if await self._on_hand_on(session, outcome.row.id, now):
                    continue
                outcome.kind = "forbidden"
            if outcome.kind in ("forbidden", "handed_on") and self._on_forbidden is not None:
                await self._on_forbidden(session, outcome.row.chat_id, now)

    async def claim(self, session: AsyncSession, limit: int, now: datetime) -> list[Claimed]:
        """Take up to `limit` due rows, one per chat, for chats free to receive now."""
        moment = self._monotonic()
        busy, backlog = self.busy, self._backlog
        for chat in [chat for chat, until in busy.items() if until <= moment]:
            del busy[chat]
            backlog.discard(chat)
        chosen: list[Any] = []
        chats: set[int] = set()
        # Busy chats are skipped here rather than listed in the query (a thousand of them at
        # 1,000 a second); only those seen with more due rows (the backlog) are excluded in
        # SQL, so that they cannot fill the page again. A page with nothing but newly seen
        # ones is read again, once per such chat at most.
        for _ in range(3):
            candidates = (
                await session.execute(
                    _DUE, {"now": now, "busy": list(backlog), "page": self._page, "bot": self.bot}
                )
            ).all()
            grew = False
            for candidate in candidates:
                chat = candidate.chat_id
                if chat in chats or chat in busy:
                    if chat not in backlog:
                        backlog.add(chat)
                        grew = True
                    continue
                chats.add(chat)
                chosen.append(candidate)
                if len(chosen) == limit:
                    break
            if chosen or not grew or len(candidates) < self._page:
                break
        # A chat in this claim that has more rows stays in the backlog while it is busy.
        backlog.intersection_update(busy.keys() | chats)
        return await self._take(session, chosen, now) if chosen else []

    async def _take(self, session: AsyncSession, chosen: list[Any], now: datetime) -> list[Claimed]:
        """Claim the chosen rows (those another sender has not taken meanwhile)."""
        busy = self.busy
        targets = await self._edit_targets(session, [c.edit_of_id for c in chosen])
        lease = now + timedelta(seconds=self._settings.lease_seconds)
        taken = {
            row.id: row
            for row in await session.execute(
                _TAKE, {"ids": [c.id for c in chosen], "lease": lease, "owner": self._owner}
            )
        }
        rows: list[Claimed] = []
        for c in chosen:
            took = taken.get(c.id)
            if took is None:
                continue  # another sender took it between our read and our update
            target_id = None
            if c.edit_of_id is not None:
                target_id = targets.get(c.edit_of_id)
                if target_id is None:
                    await session.execute(
                        update(OutboxMessage)
                        .where(OutboxMessage.id == c.id)
                        .values(state=FAILED, last_error="the message to edit was never sent")
                    )
                    continue
            busy[c.chat_id] = math.inf
            rows.append(
                Claimed(
                    c.id,
                    c.chat_id,
                    took.kind,
                    took.body,
                    took.attempts,
                    target_id,
                    took.priority,
                    took.unknown_fates,
                    is_edit(took.kind, took.body, c.edit_of_id),
                    took.purpose,
                    took.ref_id,
                )
            )
        return rows

    async def _edit_targets(
        self, session: AsyncSession, ids: Iterable[int | None]
    ) -> dict[int, int | None]:
        wanted = [i for i in ids if i is not None]
        if not wanted:
            return {}
        result = await session.execute(
            select(OutboxMessage.id, OutboxMessage.message_id).where(
                OutboxMessage.id.in_(wanted), OutboxMessage.state == SENT
            )
        )
        return {row.id: row.message_id for row in result}


def outcome_values(outcome: Outcome, settings: OutboxSettings, now: datetime) -> dict[str, Any]:
    """The columns one call's outcome writes on its row: sent, again later, or failed."""
    row = outcome.row
    attempts = row.attempts + (0 if outcome.kind == "released" else 1)
    values: dict[str, Any] = {"id": row.id, "attempts": attempts}
    kind = outcome.kind
    if kind == "unknown":
        kind = _settle_unknown(row, attempts, outcome, values, settings)
    if kind == "unknown":
        pass  # settled above
    elif kind == "sent":
        values.update(state=SENT, sent_at=now, message_id=outcome.message_id)
        if outcome.receipt is not None:
            values["receipt"] = outcome.receipt
    elif kind == "retry" and attempts < settings.max_attempts:
        backoff = min(settings.retry_max_seconds, settings.retry_base_seconds * 2 ** (attempts - 1))
        values.update(
            state=PENDING,
            not_before=now + timedelta(seconds=backoff),
            last_error=_short(outcome.error),
        )
    elif kind in ("flood", "released"):
        # First in line again once the pause is over.
        values.update(state=PENDING, not_before=now, last_error=_short(outcome.error))
    else:  # failed, forbidden, handed on to another channel, or out of attempts
        values.update(state=FAILED, last_error=_short(outcome.error))
        if kind == "retry":
            logger.warning("outbox row %s given up after %d attempts", row.id, attempts)
    return values


def _settle_unknown(
    row: Claimed,
    attempts: int,
    outcome: Outcome,
    values: dict[str, Any],
    settings: OutboxSettings,
) -> str:
    """Decide by kind about a call that may have been delivered; the outcome kind to use."""
    fates = row.unknown_fates + 1
    values["unknown_fates"] = fates
    again = row.edit or (row.priority <= PRIORITY_ALERT and fates == 1)
    if again and attempts < settings.max_attempts:
        return "retry"  # an edit twice changes nothing; an alert twice beats none
    values.update(
        state=FAILED, last_error=_short(f"outcome unknown ({outcome.error}): not sent again")
    )
    logger.warning("outbox row %s: outcome unknown, not sent again", row.id)
    return "unknown"


def _short(text: str | None) -> str | None:
    return None if text is None else text[:200]
