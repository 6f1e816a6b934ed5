"""People reached on Zalo or by SMS: found or added by address, read by their transports.

A contact is written when a person first writes from an address (a Zalo follow, an SMS)
or when an officer registers an SMS case; its chat id (`bot.channels.contact_chat_id`) is
what cases, dialogues and the outbox know it by. A channel's transport reads it through a
`ContactBook` at send time: the Zalo address and free window, the phone for a template or
an SMS, and what an SMS question's reply codes mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels import Channel, contact_chat_id, contact_id_of
from bot.db import Database
from bot.models import ChannelContact


@dataclass(frozen=True, slots=True)
class ContactInfo:
    """What a transport needs to know of a contact."""

    id: int
    channel: Channel
    address: str
    phone: str | None
    language: str
    last_inbound_at: datetime | None
    window_sent: int
    reply_codes: dict[str, str]

    @property
    def chat_id(self) -> int:
        """The chat id that cases, dialogues and the outbox know the contact by."""
        return contact_chat_id(self.channel, self.id)


def info(contact: ChannelContact) -> ContactInfo:
    """A contact row as plain values."""
    return ContactInfo(
        id=contact.id,
        channel=Channel(contact.channel),
        address=contact.address,
        phone=contact.phone,
        language=contact.language,
        last_inbound_at=contact.last_inbound_at,
        window_sent=contact.window_sent,
        reply_codes=dict(contact.reply_codes or {}),
    )


async def contact_at(
    session: AsyncSession,
    channel: Channel,
    address: str,
    now: datetime,
    *,
    phone: str | None = None,
    language: str | None = None,
) -> ChannelContact:
    """The contact of an address, added if new (two workers adding it at once agree)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    values: dict[str, object] = {
        "channel": channel.value,
        "address": address,
        "phone": phone,
        "language": language or "vi",
        "window_sent": 0,
        "created_at": now,
    }
    await session.execute(
        dialect.insert(ChannelContact.__table__)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["channel", "address"])
    )
    contact = (
        await session.execute(
            select(ChannelContact).where(
                ChannelContact.channel == channel.value, ChannelContact.address == address
            )
        )
    ).scalar_one()
    if phone is not None and contact.phone is None:
        contact.phone = phone
    return contact


async def contact_of_chat(session: AsyncSession, chat_id: int) -> ChannelContact | None:
    """The contact behind a chat id (None for a Telegram chat or an unknown id)."""
    contact_id = contact_id_of(chat_id)
    if contact_id is None:
        return None
    return await session.get(ChannelContact, contact_id)


def note_inbound(contact: ChannelContact, now: datetime) -> None:
    """The person wrote: Zalo's free window opens again, with its count from zero."""
    contact.last_inbound_at = now
    contact.window_sent = 0


class ContactBook:
    """The contacts as a channel's transport reads and counts them, one unit of work each."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, contact_id: int) -> ContactInfo | None:
        """The contact, or None if there is no such contact."""
        async with self._db.transaction() as session:
            contact = await session.get(ChannelContact, contact_id)
            return None if contact is None else info(contact)

    async def note_sent(self, contact_id: int, *, in_window: bool) -> None:
        """A message went out; one sent in the free window counts against its limit."""
        if not in_window:
            return
        async with self._db.transaction() as session:
            await session.execute(
                update(ChannelContact)
                .where(ChannelContact.id == contact_id)
                .values(window_sent=ChannelContact.window_sent + 1)
            )

    async def set_reply_codes(self, contact_id: int, codes: dict[str, str]) -> None:
        """What the reply codes of the question just sent mean (an SMS question's)."""
        async with self._db.transaction() as session:
            await session.execute(
                update(ChannelContact)
                .where(ChannelContact.id == contact_id)
                .values(reply_codes=codes or None)
            )
