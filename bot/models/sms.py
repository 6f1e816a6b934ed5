"""The SMS channel's one-time links to the web desk's location page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class LocationLink(Base):
    """A link sent with a location question: whoever opens it may share one location."""

    __tablename__ = "location_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SHA-256 of the token, hex: the token itself is only in the SMS.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("channel_contacts.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id"), default=None)
    created_at: Mapped[datetime]
    # The check-in's window: the link dies with it.
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
