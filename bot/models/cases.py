"""Home-isolation cases: who isolates where, until when, bound to which chat."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, NullableJSON


class Case(Base):
    """One person in home isolation, from registration to release."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_commune_status", "commune_code", "status"),
        Index("ix_cases_commune_phone", "commune_code", "phone"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Short code officers type (/case K7M3QX); unambiguous characters only.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    # E.164, normalised with phonenumbers (+84912345678).
    phone: Mapped[str] = mapped_column(String(20))
    birth_year: Mapped[int | None] = mapped_column(Integer, default=None)
    address: Mapped[str] = mapped_column(String(500), default="")
    commune_code: Mapped[int] = mapped_column(ForeignKey("communes.code"))
    # Denormalised from the commune so a supervisor's province queries need no join.
    province_code: Mapped[int] = mapped_column(ForeignKey("provinces.code"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # f0 | f1 | other
    source_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date, index=True)
    # pending | active | hospitalized | transferred | released | cancelled
    status: Mapped[str] = mapped_column(String(20), index=True)
    language: Mapped[str] = mapped_column(String(8), default="vi")
    # The home zone as geofence plain data; None until the home is anchored.
    zone: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON, default=None)
    # not_set | proposed (the person sent a pin, the officer has not decided) | set
    home_status: Mapped[str] = mapped_column(String(20), default="not_set")
    proposed_home: Mapped[dict[str, Any] | None] = mapped_column(NullableJSON, default=None)
    # telegram | zalo | sms: what carries the person's messages (bot/channels.py).
    channel: Mapped[str] = mapped_column(String(10), default="telegram", server_default="telegram")
    # Several cases may share one chat (a household on one phone). Off Telegram: the chat
    # id of the person's contact (bot.channels.contact_chat_id).
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True, default=None)
    telegram_user_id: Mapped[int | None] = mapped_column(BigInteger, default=None)
    consent_at: Mapped[datetime | None] = mapped_column(default=None)
    enrolled_at: Mapped[datetime | None] = mapped_column(default=None)
    enrolment_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    enrolment_expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Check-in times of day ("08:00") overriding the defaults of the case's kind.
    checkin_times: Mapped[list[str] | None] = mapped_column(NullableJSON, default=None)
    unreachable_since: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # When the retention purge removed the closed case's locations and answers.
    purged_at: Mapped[datetime | None] = mapped_column(default=None)
    # Refusal keeps the case pending (nothing is bound); the officer is told.
    consent_refused_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set once when a pending case passes the enrolment deadline, so it is flagged once.
    enrol_overdue_at: Mapped[datetime | None] = mapped_column(default=None)
    # A transfer closes this case and opens its continuation in the other commune.
    transferred_to_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), default=None)
