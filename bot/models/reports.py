"""Citizen reports of suspected isolation violations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class CitizenReport(Base):
    """One submission of /report; an identical text within a day is merged into the first.

    The reporter is never stored in the clear: `reporter_hash` is an HMAC of their Telegram
    id (rate limits, abuse control) and `reply_to` a sealed copy of their chat id, erased as
    soon as the outcome notice is queued. Both go with the row when it is purged.
    """

    __tablename__ = "citizen_reports"
    __table_args__ = (
        Index("ix_citizen_reports_commune_state", "commune_code", "state"),
        Index("ix_citizen_reports_reporter_created", "reporter_hash", "created_at"),
        Index("ix_citizen_reports_text_key", "text_key", "commune_code", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The short number the reporter gets in the receipt ("R7K3MQX").
    reference: Mapped[str] = mapped_column(String(12), unique=True)
    commune_code: Mapped[int] = mapped_column(ForeignKey("communes.code"))
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    # location | choice (the reporter picked the commune by name) | officer (rerouted)
    routed_by: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    # SHA-256 of the folded text: identical texts within a day are merged.
    text_key: Mapped[str] = mapped_column(String(64))
    photo_file_id: Mapped[str | None] = mapped_column(String(200), default=None)
    # photo | document (an image sent as a file)
    photo_kind: Mapped[str | None] = mapped_column(String(10), default=None)
    # {"lat": ..., "lon": ..., "accuracy_m": ...}: where the reporter says it happens.
    location: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    reporter_hash: Mapped[str] = mapped_column(String(64))
    reply_to: Mapped[str | None] = mapped_column(String(200), default=None)
    language: Mapped[str] = mapped_column(String(8))
    # open | acknowledged | closed | merged (a repeat of `merged_into_id`)
    state: Mapped[str] = mapped_column(String(12))
    # confirmed | nothing_found | abuse, once closed
    outcome: Mapped[str | None] = mapped_column(String(20), default=None)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("citizen_reports.id"), index=True, default=None
    )
    times_reported: Mapped[int] = mapped_column(Integer, default=1)
    # Codes of active cases whose home is near the location or whose address the text names.
    matched_cases: Mapped[list[str]] = mapped_column(JSON, default=list)
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id"), default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(index=True, default=None)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
