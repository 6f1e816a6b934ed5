"""One-time links to the web desk's location page, sent with an SMS location question.

A person on SMS with a smartphone opens the link; the page asks the browser where it is
and posts it back once. The token is random (128 bits, URL-safe), kept only as its SHA-256,
used once, and dies with the check-in's window (or a window's length from now when the
question came outside a round), so a link forwarded or found later is worth nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from bot.channels import Channel, contact_chat_id
from bot.checkins.values import ANSWERED, OPEN, QUEUED
from bot.clock import Clock
from bot.db import Database
from bot.models import Case, ChannelContact, Checkin, LocationLink

TOKEN_BYTES = 16  # 128 bits: 22 characters in the link
LOCATION_PATH = "/l/"


@dataclass(frozen=True, slots=True)
class OpenLink:
    """A link that may still be used: whose it is."""

    address: str  # the contact's phone (the SMS address)
    language: str
    expires_at: datetime


def token_hash(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


class LocationLinks:
    """Makes links for the SMS transport and checks them for the location page."""

    def __init__(self, db: Database, clock: Clock, base_url: str, window_minutes: int) -> None:
        self._db = db
        self._clock = clock
        self._base_url = base_url.rstrip("/")
        self._window = timedelta(minutes=window_minutes)

    async def link_for(self, contact_id: int) -> str | None:
        """A fresh link for the contact's open check-in (None: no active case)."""
        now = self._clock.now()
        chat = contact_chat_id(Channel.SMS, contact_id)
        async with self._db.transaction() as session:
            case_id = await session.scalar(
                select(Case.id)
                .where(Case.chat_id == chat, Case.status == "active")
                .order_by(Case.id.desc())
                .limit(1)
            )
            if case_id is None:
                return None
            waiting = (
                await session.execute(
                    select(Checkin.id, Checkin.closes_at)
                    .where(
                        Checkin.case_id == case_id,
                        Checkin.state.in_((QUEUED, OPEN, ANSWERED)),
                        Checkin.completed_at.is_(None),
                    )
                    .order_by(Checkin.due_at.desc())
                    .limit(1)
                )
            ).first()
            checkin_id, closes_at = waiting if waiting is not None else (None, None)
            expires = closes_at if closes_at is not None and closes_at > now else now + self._window
            token = secrets.token_urlsafe(TOKEN_BYTES)
            session.add(
                LocationLink(
                    token_hash=token_hash(token),
                    contact_id=contact_id,
                    case_id=case_id,
                    checkin_id=checkin_id,
                    created_at=now,
                    expires_at=expires,
                )
            )
        return f"{self._base_url}{LOCATION_PATH}{token}"

    async def peek(self, token: str) -> OpenLink | None:
        """The link's owner if it can still be used (not used, not expired)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = (
                await session.execute(
                    select(ChannelContact.address, ChannelContact.language, LocationLink.expires_at)
                    .join(ChannelContact, ChannelContact.id == LocationLink.contact_id)
                    .where(
                        LocationLink.token_hash == token_hash(token),
                        LocationLink.used_at.is_(None),
                        LocationLink.expires_at > now,
                    )
                )
            ).first()
        return OpenLink(row[0], row[1], row[2]) if row is not None else None

    async def use(self, token: str) -> OpenLink | None:
        """Spend the link (once, whoever posts first); its owner, or None if spent or dead."""
        now = self._clock.now()
        found = await self.peek(token)
        if found is None:
            return None
        async with self._db.transaction() as session:
            spent = await session.scalar(
                update(LocationLink)
                .where(
                    LocationLink.token_hash == token_hash(token),
                    LocationLink.used_at.is_(None),
                    LocationLink.expires_at > now,
                )
                .values(used_at=now)
                .returning(LocationLink.id)
            )
        return found if spent is not None else None
