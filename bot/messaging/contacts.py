"""A person off Telegram as a channel's transport sees them: the contact book.

A channel's renderer puts the contact's id (from the chat id) into its call; the
transport asks the book for the address to send to and notes what it sent. The DB-backed
book is the lead's (issue #17's foundation); this is the seam the SMS channel codes against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class ContactInfo:
    """What a transport needs to know of a contact."""

    id: int
    channel: str
    address: str
    phone: str | None
    language: str
    last_inbound_at: datetime | None = None
    window_sent: int = 0
    reply_codes: dict[str, Any] = field(default_factory=dict)


class ContactBook(Protocol):
    """The contacts of the channels off Telegram."""

    async def get(self, contact_id: int) -> ContactInfo | None:
        """The contact, or None when there is no such contact."""
        ...

    async def note_sent(self, contact_id: int, *, in_window: bool) -> None:
        """Count a message sent to the contact (in Zalo's free window or not)."""
        ...

    async def set_reply_codes(self, contact_id: int, codes: dict[str, Any]) -> None:
        """Keep the reply codes of the last question sent to the contact (SMS)."""
        ...
