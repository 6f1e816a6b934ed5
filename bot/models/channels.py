"""People reached off Telegram: a Zalo follower or a phone number for SMS."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, NullableJSON


class ChannelContact(Base):
    """Someone cachly writes to on Zalo or by SMS (their chat id: bot.channels)."""

    __tablename__ = "channel_contacts"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(10))  # zalo | sms
    # Zalo: the follower's user id for this OA; SMS: the E.164 phone number.
    address: Mapped[str] = mapped_column(String(64))
    # E.164, for a Zalo template message by phone or an SMS when Zalo cannot reach them.
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    # The person's last message: Zalo's free interaction window runs from it.
    last_inbound_at: Mapped[datetime | None] = mapped_column(default=None)
    # Messages sent within the current window (Zalo limits them).
    window_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # SMS: what each reply code of the last question means ({"1": "<action>"}).
    reply_codes: Mapped[dict[str, str] | None] = mapped_column(NullableJSON, default=None)
    created_at: Mapped[datetime]
