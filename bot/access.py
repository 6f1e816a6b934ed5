"""When an officer's access ends: nothing more about the area they lost reaches them.

Access ends when an officer or supervisor is revoked, or when they open an invitation to
another area (a move: the same Telegram user, another commune or role). From then on
`policy.entitled` is false for what they lost, and every path that writes to officers asks
it: new copies, edits of old ones, pins, escalations, digests, report cards, exports.

What was queued before is settled here, in the unit of work that ends the access, rather
than checked by the sender at send time: the sender stays a channel pipe that knows no
alerts or reports (it claims a thousand rows a second), and the revocation is one
statement away from its own effect. A message queued concurrently by a transaction that
read the officer as still active cannot slip through: readers lock the officer rows they
send to (FOR SHARE, `lock_readers`), so the revocation waits for them and then sees their
rows; SQLite has one writer at a time. A row in flight at that moment cannot be called
back; if its sender dies, the copy queued again on recovery is withheld (`release_resent`).

The copies already on their phone (alert cards, report cards, home checks: texts with
buttons and personal data) are edited once to a neutral line without buttons. Pins and
photos cannot be edited into a text and stay. Each end of access, and each later event
that would have reached a copy of someone who lost access, is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit, policy
from bot.catalogue import t
from bot.messaging.message import Text
from bot.messaging.outbox import FAILED, PENDING, PRIORITY_ALERT, SENDING, enqueue, shows
from bot.models import (
    Alert,
    AlertDelivery,
    Case,
    CitizenReport,
    Officer,
    OutboxMessage,
    WebSession,
    WebSignin,
)
from bot.preferences import language_of

# What officers are sent, by outbox purpose, and the table whose row (the outbox row's
# ref_id) says which commune and province it is about.
ALERT_PURPOSES = ("alert", "alert_pin", "alert_edit")
REPORT_PURPOSES = ("report.card", "report.photo", "report.pin")
CASE_PURPOSES = ("officer_notice", "home_pin")
# Computed for the area the officer had when queued, with no subject row: never kept.
EXPORT = "export"
AREA_PURPOSES = ("digest", "digest_chart", EXPORT)
OFFICER_PURPOSES = ALERT_PURPOSES + REPORT_PURPOSES + CASE_PURPOSES + AREA_PURPOSES
# The neutral edit of a copy: no personal data, no buttons.
ACCESS_ENDED = "access_ended"
WITHHELD = "withheld: the recipient no longer has access"

_Statement = TypeVar("_Statement", bound=Select[*tuple[Any, ...]])

_SUBJECTS: dict[str, type[Alert | CitizenReport | Case]] = {
    **dict.fromkeys(ALERT_PURPOSES, Alert),
    **dict.fromkeys(REPORT_PURPOSES, CitizenReport),
    **dict.fromkeys(CASE_PURPOSES, Case),
}


def lock_readers(statement: _Statement) -> _Statement:
    """Officers about to be sent something, locked against a revocation until the commit."""
    # FOR SHARE on PostgreSQL (readers do not block each other); nothing on SQLite.
    return statement.with_for_update(read=True, of=Officer)


async def entitled_to_row(session: AsyncSession, officer: Officer, row: OutboxMessage) -> bool:
    """Whether an officer-bound outbox row may still reach this officer."""
    if row.purpose in AREA_PURPOSES:
        return False  # computed for the area they had; only asked once access ended
    subject = _SUBJECTS.get(row.purpose)
    if subject is None or row.ref_id is None:
        return True  # not about an area (the officer's own notices)
    area = (
        await session.execute(
            select(subject.commune_code, subject.province_code).where(subject.id == row.ref_id)
        )
    ).first()
    return area is not None and policy.entitled(officer, area[0], area[1])


async def end_access(
    session: AsyncSession, officer: Officer, now: datetime, actor: str, reason: str
) -> None:
    """Cancel what is queued to the officer about what they lost; neutralise their copies."""
    cancelled = await _cancel_queued(session, officer)
    neutralised = await _neutralise_copies(session, officer, now)
    web_sessions = await _end_web_sessions(session, officer.id, now)
    audit.record(
        session,
        at=now,
        actor=actor,
        action="officer.access_end",
        subject_type="officer",
        subject_id=officer.id,
        reason=reason,
        cancelled=cancelled,
        neutralised=neutralised,
        web_sessions=web_sessions,
    )


async def _end_web_sessions(session: AsyncSession, officer_id: int, now: datetime) -> int:
    """End the officer's web desk sessions and spend their unused sign-in links."""
    await session.execute(
        update(WebSignin)
        .where(WebSignin.officer_id == officer_id, WebSignin.used_at.is_(None))
        .values(used_at=now)
    )
    ended = await session.execute(
        update(WebSession)
        .where(WebSession.officer_id == officer_id, WebSession.ended_at.is_(None))
        .values(ended_at=now)
    )
    return int(ended.rowcount)  # type: ignore[attr-defined]


async def _cancel_queued(session: AsyncSession, officer: Officer) -> int:
    rows = await session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.chat_id == officer.telegram_user_id,
            OutboxMessage.state == PENDING,
            OutboxMessage.purpose.in_(OFFICER_PURPOSES),
        )
        .with_for_update()
    )
    cancelled = 0
    for row in list(rows):
        if not await entitled_to_row(session, officer, row):
            row.state, row.last_error = FAILED, WITHHELD
            cancelled += 1
    await session.flush()
    return cancelled


async def _neutralise_copies(session: AsyncSession, officer: Officer, now: datetime) -> int:
    """Edit each copy shown (or being sent) about what the officer lost, once."""
    chat_id = officer.telegram_user_id
    copies = list(
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.kind == "text",
                OutboxMessage.edit_of_id.is_(None),
                OutboxMessage.state.not_in((PENDING, FAILED)),
                or_(
                    OutboxMessage.purpose.in_(("report.card", "home_pin")),
                    OutboxMessage.id.in_(
                        select(AlertDelivery.outbox_id).where(
                            AlertDelivery.officer_id == officer.id
                        )
                    ),
                ),
            )
            .order_by(OutboxMessage.id)
        )
    )
    if not copies:
        return 0
    language = await language_of(session, chat_id)
    neutral = Text(t(language, "access.ended"))
    count = 0
    for copy in copies:
        if copy.state != SENDING and copy.message_id is None:
            continue  # sent without a message id to edit (an old row): nothing to change
        if await entitled_to_row(session, officer, copy) or await _shows(session, copy, neutral):
            continue
        enqueue(
            session,
            chat_id=chat_id,
            province=None,
            bot=copy.bot,
            content=neutral,
            priority=PRIORITY_ALERT,
            purpose=ACCESS_ENDED,
            now=now,
            edit_of_id=copy.id,
        )
        count += 1
    await session.flush()
    return count


async def _shows(session: AsyncSession, copy: OutboxMessage, content: Text) -> bool:
    """Whether the last edit queued of a copy already says `content`."""
    last = await session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.edit_of_id == copy.id, OutboxMessage.state != FAILED)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    return last is not None and shows(last, content)


def withheld(
    session: AsyncSession,
    now: datetime,
    officers: Iterable[Officer],
    subject_type: str,
    subject_id: int,
    what: str,
) -> None:
    """Write down that an event did not reach these officers' copies (access ended)."""
    ids = sorted({officer.id for officer in officers})
    if ids:
        audit.record(
            session,
            at=now,
            actor=audit.SYSTEM,
            action="officer.withheld",
            subject_type=subject_type,
            subject_id=subject_id,
            officers=ids,
            what=what,
        )


async def release_resent(session: AsyncSession, row_id: int) -> None:
    """A copy queued again after a sender died: withheld if its officer lost access since."""
    row = await session.get(OutboxMessage, row_id)
    if row is None or row.purpose not in OFFICER_PURPOSES:
        return
    officer = await session.scalar(
        lock_readers(select(Officer).where(Officer.telegram_user_id == row.chat_id))
    )
    if officer is None:
        return
    if officer.revoked_at is None and row.purpose in AREA_PURPOSES:
        return
    if officer.revoked_at is not None or not await entitled_to_row(session, officer, row):
        row.state, row.last_error = FAILED, WITHHELD
        withheld(session, row.created_at, [officer], "outbox", row.id, "resent copy")
