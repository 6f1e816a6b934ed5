"""What keeps reporters unknown: the keyed pseudonym, the sealed chat address, the purge."""

from __future__ import annotations

import base64
import hmac
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import audit
from bot.db import Database
from bot.dialogues import DIALOGUE_TTL
from bot.models import CitizenReport, Dialogue, OutboxMessage
from bot.reports.values import CARD, FLOW, NOTICE, PHOTO, PIN, ReportState


class ReporterKeys:
    """Pseudonyms and sealed chat addresses, both keyed with the configured secret.

    The pseudonym is an HMAC-SHA256 of the Telegram id: stable, so limits and merging work,
    and meaningless without the secret. The sealed address is the chat id encrypted and
    authenticated with Fernet (AES-CBC + HMAC, from `cryptography`), kept only until the
    reporter has been told the outcome.
    """

    def __init__(self, secret: str) -> None:
        root = secret.encode("utf-8")
        self._id_key = hmac.digest(root, b"cachly/reports/pseudonym", "sha256")
        self._fernet = Fernet(
            base64.urlsafe_b64encode(hmac.digest(root, b"cachly/reports/seal", "sha256"))
        )

    def pseudonym(self, telegram_user_id: int) -> str:
        """The stable, keyed stand-in for a reporter (64 hex characters)."""
        return hmac.new(self._id_key, str(telegram_user_id).encode(), "sha256").hexdigest()

    def seal(self, chat_id: int) -> str:
        """The chat id, encrypted and authenticated (about 100 URL-safe characters)."""
        return self._fernet.encrypt(str(chat_id).encode("ascii")).decode("ascii")

    def unseal(self, sealed: str) -> int | None:
        """The chat id back, or None if the value was not sealed with this secret."""
        try:
            return int(self._fernet.decrypt(sealed.encode("ascii")))
        except (InvalidToken, ValueError):
            return None


async def purge_reports(db: Database, now: datetime, keep_days: int) -> int:
    """Delete reports closed more than keep_days ago, with everything that names them."""
    cutoff = now - timedelta(days=keep_days)
    async with db.transaction() as session:
        ids = list(
            (
                await session.scalars(
                    select(CitizenReport.id).where(
                        CitizenReport.state == ReportState.CLOSED, CitizenReport.closed_at < cutoff
                    )
                )
            ).all()
        )
        purged = await _delete_reports(session, ids) if ids else 0
        # Sent notices hold a reporter's chat id; nothing needs them once delivered.
        notices = await session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.purpose == NOTICE, OutboxMessage.state.in_(("sent", "failed"))
            )
        )
        # Abandoned drafts hold the reporter's id and words.
        drafts = await session.execute(
            delete(Dialogue).where(Dialogue.flow == FLOW, Dialogue.updated_at < now - DIALOGUE_TTL)
        )
        notice_count = int(notices.rowcount)  # type: ignore[attr-defined]
        draft_count = int(drafts.rowcount)  # type: ignore[attr-defined]
        if purged or notice_count or draft_count:
            audit.record(
                session,
                at=now,
                actor=audit.SYSTEM,
                action="reports.purge",
                subject_type="citizen_reports",
                subject_id=purged,
                notices=notice_count,
                drafts=draft_count,
            )
        return purged


async def _delete_reports(session: AsyncSession, ids: list[int]) -> int:
    """Delete the reports, their repeats and the officers' messages about them; count the rows."""
    purposes = (CARD, PHOTO, PIN)
    of_reports = (OutboxMessage.purpose.in_(purposes), OutboxMessage.ref_id.in_(ids))
    # Edits first: they point at the messages they edit.
    await session.execute(
        delete(OutboxMessage).where(*of_reports, OutboxMessage.edit_of_id.is_not(None))
    )
    await session.execute(delete(OutboxMessage).where(*of_reports))
    repeats = await session.execute(
        delete(CitizenReport).where(CitizenReport.merged_into_id.in_(ids))
    )
    reports = await session.execute(delete(CitizenReport).where(CitizenReport.id.in_(ids)))
    return int(repeats.rowcount) + int(reports.rowcount)  # type: ignore[attr-defined]
