"""Check-ins: the schedule as rows, the answers, location fixes and live-location streams."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base


class Checkin(Base):
    """One check-in occurrence of a case: due, prompted, answered or closed.

    `state` and `next_action_at` drive the scheduler: one indexed range query finds every
    row whose prompt, reminder or closing is due, so a restart loses and repeats nothing.
    """

    __tablename__ = "checkins"
    __table_args__ = (
        UniqueConstraint("case_id", "kind", "nominal_at", name="uq_checkins_occurrence"),
        Index("ix_checkins_due", "state", "next_action_at"),
        # The desk's map counts today's closed check-ins per commune: a range on closes_at
        # among every day's rows (bot/desk/map.py).
        Index("ix_checkins_closes_at", "closes_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No index of its own: uq_checkins_occurrence starts with case_id and serves its lookups.
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    # scheduled (a round) | spot (location-only, random time) | manual (/checkin, no round)
    kind: Mapped[str] = mapped_column(String(10))
    nominal_at: Mapped[datetime]
    due_at: Mapped[datetime]
    # scheduled -> queued (prompt in the outbox) -> open (sent; window runs) -> answered
    # -> done; or -> closed (missed / cancelled).
    state: Mapped[str] = mapped_column(String(12))
    next_action_at: Mapped[datetime | None] = mapped_column(default=None)
    prompt_outbox_id: Mapped[int | None] = mapped_column(Integer, default=None)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    prompt_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    remind_at: Mapped[datetime | None] = mapped_column(default=None)
    reminded_at: Mapped[datetime | None] = mapped_column(default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    # on_time | late | missed | cancelled; None while the window runs.
    outcome: Mapped[str | None] = mapped_column(String(10), default=None)
    # The questionnaire step the person is at (feeling, symptoms, temperature, ...).
    step: Mapped[str | None] = mapped_column(String(20), default=None)
    # How they feel and which symptoms; vitals as measured (None when skipped).
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    vitals: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Warning signs found so far, so that each raises the urgent alert once.
    danger_signs: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]


class CheckinPlan(Base):
    """How far ahead a case's occurrences are written, so planning touches each case rarely."""

    __tablename__ = "checkin_plans"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    planned_until: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class LocationFix(Base):
    """One accepted location of a case with the verdict it got against the home zone."""

    __tablename__ = "location_fixes"
    __table_args__ = (Index("ix_location_fixes_case_taken", "case_id", "taken_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id"), default=None)
    stream_id: Mapped[int | None] = mapped_column(ForeignKey("live_streams.id"), default=None)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float, default=None)
    taken_at: Mapped[datetime]
    # live | current | other (geofence.FixKind)
    fix_kind: Mapped[str] = mapped_column(String(10))
    # inside | outside | uncertain; None when no home zone is set yet.
    verdict: Mapped[str | None] = mapped_column(String(10), default=None)
    distance_m: Mapped[float | None] = mapped_column(Float, default=None)
    weak: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime]


class LiveStream(Base):
    """A live location a person shares, followed through its edits by any process."""

    __tablename__ = "live_streams"
    __table_args__ = (
        UniqueConstraint("chat_id", "message_id", "case_id", name="uq_live_streams_message"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    checkin_id: Mapped[int | None] = mapped_column(ForeignKey("checkins.id"), default=None)
    started_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_fix_at: Mapped[datetime | None] = mapped_column(default=None)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)
    stopped_early: Mapped[bool] = mapped_column(Boolean, default=False)
    # geofence.TrackerState.to_dict(): the hysteresis state between edits.
    tracker: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    last_fix: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
