"""The officers' copies of a report: queued to a commune's officers, then kept up to date."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import policy
from bot.access import lock_readers, withheld
from bot.alerts import commune_officers
from bot.messaging.outbox import PRIORITY_ALERT, enqueue
from bot.models import CitizenReport, Officer, OutboxMessage
from bot.preferences import language_of
from bot.reports.display import passed_on_text, photo_message, pin_message, render_card
from bot.reports.records import load_card
from bot.reports.values import CARD, PHOTO, PIN


class CardCopies:
    """Sends a report to its commune's officers and redraws their copies when it changes."""

    def __init__(self, language: str, tz: tzinfo) -> None:
        self._language = language
        self._tz = tz

    async def deliver(self, session: AsyncSession, report: CitizenReport, now: datetime) -> None:
        """Queue the report (photo, pin, then the card with its buttons) to every officer."""
        card = await load_card(session, report)
        for officer in await commune_officers(session, report.commune_code):
            chat_id = officer.telegram_user_id
            language = await language_of(session, chat_id, self._language)
            photo = photo_message(language, card)
            if photo is not None:
                enqueue(
                    session,
                    chat_id=chat_id,
                    province=report.province_code,
                    content=photo,
                    purpose=PHOTO,
                    priority=PRIORITY_ALERT,
                    now=now,
                    ref_id=report.id,
                )
            pin = pin_message(card)
            if pin is not None:
                enqueue(
                    session,
                    chat_id=chat_id,
                    province=report.province_code,
                    content=pin,
                    purpose=PIN,
                    priority=PRIORITY_ALERT,
                    now=now,
                    ref_id=report.id,
                )
            enqueue(
                session,
                chat_id=chat_id,
                province=report.province_code,
                content=render_card(language, card, self._tz),
                purpose=CARD,
                priority=PRIORITY_ALERT,
                now=now,
                ref_id=report.id,
            )

    async def update(
        self,
        session: AsyncSession,
        report: CitizenReport,
        now: datetime,
        left: int | None = None,
        skip: tuple[int, int] | None = None,
    ) -> None:
        """Edit every officer's copy of the card to the report's current state.

        `left`: the commune the report is being handed away from; its copies say where to.
        `skip`: the (chat id, message id) the caller redraws itself.
        """
        card = await load_card(session, report)
        copies, readers = await _copies(session, report.id)
        # The copies of the commune it is handed away from say where to, once; otherwise
        # only the copies of the commune it is in are kept up to date.
        commune = report.commune_code if left is None else left
        lost = []
        for copy in copies:
            reader = readers.get(copy.chat_id)
            if reader is None or not policy.entitled(reader, commune, report.province_code):
                if reader is not None and reader.revoked_at is not None:
                    lost.append(reader)
                continue  # not (or no longer) theirs: revoked, moved, or handed away from
            if skip is not None and (copy.chat_id, copy.message_id) == skip:
                continue
            language = await language_of(session, copy.chat_id, self._language)
            if left is not None:
                shown = passed_on_text(language, card)
            else:
                shown = render_card(language, card, self._tz)
            enqueue(
                session,
                chat_id=copy.chat_id,
                province=report.province_code,
                bot=copy.bot,
                content=shown,
                priority=PRIORITY_ALERT,
                purpose=CARD,
                now=now,
                ref_id=report.id,
                edit_of_id=copy.id,
            )
        withheld(session, now, lost, "report", report.id, "edit")


async def _copies(
    session: AsyncSession, report_id: int
) -> tuple[list[OutboxMessage], dict[int, Officer]]:
    """The report's card copies as first sent, and their readers by chat id (locked)."""
    copies = list(
        await session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.purpose == CARD,
                OutboxMessage.ref_id == report_id,
                OutboxMessage.edit_of_id.is_(None),
            )
        )
    )
    chats = {c.chat_id for c in copies}
    readers = await session.scalars(
        lock_readers(select(Officer).where(Officer.telegram_user_id.in_(chats)))
    )
    return copies, {o.telegram_user_id: o for o in readers}
