"""Alerts to commune health workers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
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
