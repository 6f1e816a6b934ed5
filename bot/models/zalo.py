"""What Zalo costs: each template (ZNS) message sent, its price, and whether it arrived."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class ZnsMessage(Base):
    """One ZNS template message Zalo accepted (free messages in the window are not here)."""

    __tablename__ = "zns_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("channel_contacts.id"), index=True)
    # The outbox row's purpose it carried (checkin_prompt, ...) and the template used.
    purpose: Mapped[str] = mapped_column(String(40))
    template_id: Mapped[str] = mapped_column(String(64))
    # As configured for the template when it was sent (Zalo bills delivered messages).
    price_vnd: Mapped[int] = mapped_column(Integer)
    # Ours, sent with it; Zalo's delivery event names it.
    tracking_id: Mapped[str] = mapped_column(String(48), unique=True)
    sent_at: Mapped[datetime] = mapped_column(index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
