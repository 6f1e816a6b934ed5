"""Retention: a closed case's locations and answers are purged after the configured days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.clock import FakeClock
from bot.db import Database
from bot.messaging.message import Text
from bot.messaging.outbox import PRIORITY_REPLY, enqueue
from bot.models import AuditEntry, Case, Checkin, LocationFix, OutboxMessage
from bot.retention import Purged, RetentionService
from tests.factories import make_case

HOME = {"type": "circle", "lat": 19.807, "lon": 105.776, "radius_m": 50}


async def _case_with_history(db: Database, clock: FakeClock, status: str) -> int:
    now = clock.now()
    case_id = await make_case(db, now, zone=HOME)
    async with db.transaction() as session:
        checkin = Checkin(
            case_id=case_id,
            kind="round",
            nominal_at=now,
            due_at=now,
            state="answered",
            outcome="on_time",
            answers={"feeling": "ok", "symptoms": ["cough"]},
            vitals={"temperature": 37.8, "spo2": 97},
            danger_signs=[],
            created_at=now,
        )
        session.add(checkin)
        await session.flush()
        session.add(
            LocationFix(
                case_id=case_id,
                checkin_id=checkin.id,
                lat=19.8071,
                lon=105.7761,
                accuracy_m=12.0,
                taken_at=now,
                fix_kind="current",
                verdict="inside",
                distance_m=0.0,
                weak=False,
                received_at=now,
            )
        )
        enqueue(
            session,
            province=None,
            chat_id=900_001,
            content=Text("Cảm ơn Nguyễn Văn An"),
            priority=PRIORITY_REPLY,
            purpose="reply",
            now=now,
        ).state = "sent"
        case = await session.get(Case, case_id)
        assert case is not None
        case.status = status
        case.closed_at = now if status != "active" else None
    return case_id


async def test_closed_case_is_purged_after_the_configured_days(
    db: Database, clock: FakeClock
) -> None:
    case_id = await _case_with_history(db, clock, "released")
    retention = RetentionService(db, clock, purge_after_days=30)

    clock.advance(timedelta(days=29))
    assert await retention.purge() == Purged()

    clock.advance(timedelta(days=2))
    purged = await retention.purge()
    assert (purged.cases, purged.location_fixes, purged.checkins_cleared) == (1, 1, 1)
    assert purged.messages_cleared == 1
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(LocationFix)) == 0
        checkin = await session.scalar(select(Checkin).where(Checkin.case_id == case_id))
        assert checkin is not None
        assert (checkin.answers, checkin.vitals, checkin.outcome) == ({}, {}, "on_time")
        case = await session.get(Case, case_id)
        assert case is not None
        assert case.zone is None
        message = await session.scalar(select(OutboxMessage))
        assert message is not None
        assert message.body == {}
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "retention.purge")
        )
        assert entry is not None
        assert entry.details["location_fixes"] == 1
        assert entry.details["checkins_cleared"] == 1
    # Nothing is purged twice.
    assert await retention.purge() == Purged()


async def test_active_case_keeps_everything(db: Database, clock: FakeClock) -> None:
    await _case_with_history(db, clock, "active")
    clock.advance(timedelta(days=90))
    purged = await RetentionService(db, clock, purge_after_days=30).purge()
    assert purged.cases == 0
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(LocationFix)) == 1
