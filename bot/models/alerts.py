"""Alerts to commune health workers."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Alert(Base):
    """Something a health worker must act on: sos, danger signs, out of zone, missed, ..."""

    __tablename__ = "alerts"
    __table_args__ = (Index("ix_alerts_commune_state", "commune_code", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    severity: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True, default=None)
    commune_code: Mapped[int] = mapped_column(ForeignKey("communes.code"))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    # open | acknowledged | resolved | false_alarm
    state: Mapped[str] = mapped_column(String(20))
    # Set while the alert is open or acknowledged ("case:12:missed_checkin"), cleared when
    # it closes: the unique index keeps at most one open alert per case and kind.
    open_key: Mapped[str | None] = mapped_column(String(80), unique=True, default=None)
    # Every piece of evidence, oldest first (plain data: no names, for the audit trail).
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[datetime | None] = mapped_column(default=None)
    # An alert about an officer (who blocked the bot) goes to the province's supervisors.
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    # When its copies go out: later than opened_at when quiet hours hold it back. The
    # escalation deadline counts from here, so nobody is escalated for sleeping.
    deliver_at: Mapped[datetime | None] = mapped_column(default=None)


class AlertDelivery(Base):
    """One copy of an alert in one officer's or supervisor's chat, edited as the alert changes."""

    __tablename__ = "alert_deliveries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    # The outbox row of the copy's text: later edits name it in edit_of_id.
    outbox_id: Mapped[int] = mapped_column(ForeignKey("outbox.id"), index=True)
    # officer | escalation (to a supervisor, with the escalation level in `level`)
    role: Mapped[str] = mapped_column(String(20))
    level: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class DigestRun(Base):
    """A daily digest that went out, so that it goes out once a day across restarts."""

    __tablename__ = "digest_runs"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    queued_at: Mapped[datetime]
