"""The outbox of messages to send, and the conversation a user is in the middle of."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, false, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class OutboxMessage(Base):
    """A message to send (or edit) later, written in the same unit of work as its cause."""

    __tablename__ = "outbox"
    __table_args__ = (
        # Each bot's sender reads its own rows in the due order.
        Index("ix_outbox_due", "bot", "state", "priority", "not_before", "id"),
        # The rows being sent, a few hundred among millions: every worker looks among them
        # for a dead sender's, every beat (bot/messaging/recovery.py).
        Index(
            "ix_outbox_sending",
            "claimed_by",
            postgresql_where=text("state = 'sending'"),
            sqlite_where=text("state = 'sending'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The key of the bot that sends it (config [[bots]]), the bot of the recipient's province.
    bot: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    # 0 is most urgent: sos and danger signs, then other alerts, replies, prompts and digests.
    priority: Mapped[int] = mapped_column(Integer)
    # What to say, channel-free (bot/messaging/message.py): text, pin, picture, document;
    # rendered for the recipient's channel when it is sent.
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # For an edit of a text: the row whose sent message it edits (its id is known only later).
    edit_of_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"), default=None)
    # What the message is for, so its sender can be told (alert copies, prompts, ...).
    purpose: Mapped[str] = mapped_column(String(40))
    ref_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # pending | sending | sent | failed
    state: Mapped[str] = mapped_column(String(12), default="pending")
    not_before: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    message_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    # Set when the retention purge cleared `params` of an old sent message.
    purged_at: Mapped[datetime | None] = mapped_column(default=None)
    # The sender instance (outbox_senders.id) holding the row while it is `sending`.
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    # Calls whose fate stayed unknown (a timeout, a cut connection): an alert copy is sent
    # again once at most, anything else never.
    unknown_fates: Mapped[int] = mapped_column(Integer, default=0)
    # A channel's own id for the message sent (an SMS gateway's), named by its delivery
    # reports; and when one said it reached the phone.
    receipt: Mapped[str | None] = mapped_column(String(64), default=None, index=True)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)


class Dialogue(Base):
    """The step a user is at in a multi-step conversation, so a restart loses nothing."""

    __tablename__ = "dialogues"

    telegram_user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    flow: Mapped[str] = mapped_column(String(30))
    step: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime]


class SenderInstance(Base):
    """A running outbox sender: it beats while alive, so others know its rows' owner lives."""

    __tablename__ = "outbox_senders"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    # The beat counter: another sender that sees it unchanged for a few seconds takes the
    # owner for dead (counted on the watcher's own monotonic clock, so no two clocks meet).
    beat: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]
    # Which process's heartbeat beats this sender, for which bot's lock, and whether it
    # sends: so that the live processes share the bots' locks out fairly
    # (bot/messaging/share.py). The lock itself says who sends; these only say who tries.
    process: Mapped[str] = mapped_column(String(32), default="", server_default="")
    lock_key: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    leading: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class HandledUpdate(Base):
    """A Telegram update taken by a worker, so a repeated delivery is handled once."""

    __tablename__ = "handled_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    worker: Mapped[str] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(index=True)
    done_at: Mapped[datetime | None] = mapped_column(default=None)
