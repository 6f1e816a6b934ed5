"""The check-in service: schedule rows, windows, reminders, misses, triage, locations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update

from bot.checkins import LocationInput, next_checkin_at, planning, prompts_sent
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.errors import NotAuthorised
from bot.models import Alert, Case, Checkin, CheckinPlan, LiveStream, LocationFix, OutboxMessage
from bot.services import Services
from geofence import Circle
from tests.conftest import make_settings
from tests.factories import make_case
from tests.outbox import wire

HOME = Circle(19.8076, 105.7764, 50.0)
# 07:00 in Vietnam on 25 November 2026.
MORNING = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)


@pytest.fixture
def checkin_settings(database_url: str) -> Settings:
    """Default settings but no spread, so that due times are round numbers."""
    return make_settings(database_url, checkins={"spread_minutes": 0})


@pytest.fixture
def svc(checkin_settings: Settings, db: Database, clock: FakeClock) -> Services:
    """Services with the check-in settings."""
    clock.set(MORNING)
    return Services(checkin_settings, db, clock)


async def deliver(db: Database, now: datetime) -> list[OutboxMessage]:
    """Stand in for the sender: every pending outbox row is sent now."""
    async with db.transaction() as session:
        rows = list(
            await session.scalars(select(OutboxMessage).where(OutboxMessage.state == "pending"))
        )
        for row in rows:
            row.state, row.sent_at = "sent", now
        return rows


async def alerts_of(db: Database, case_id: int) -> list[Alert]:
    """The alerts raised for a case, oldest first."""
    async with db.transaction() as session:
        return list(
            await session.scalars(select(Alert).where(Alert.case_id == case_id).order_by(Alert.id))
        )


async def at(svc: Services, clock: FakeClock, local: str, day: int = 25) -> None:
    """Move to a local time (Vietnam is UTC+7) and run a tick."""
    hour, minute = map(int, local.split(":"))
    clock.set(datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=7))
    await svc.checkins.tick()


async def test_plan_writes_rows_ahead_once(svc: Services, db: Database, clock: FakeClock) -> None:
    case_id = await make_case(db, clock.now(), kind="f0", zone=HOME.to_dict())
    report = await svc.checkins.tick()
    rows = await svc.checkins.checkins_of(case_id)
    assert report.planned == len(rows)
    # Every round of the next 24 hours (08:00, 14:00 and 20:00 today), and up to half a
    # horizon more: each case's plan ends a little later than the next one's.
    assert [r.nominal_at.hour for r in rows][:3] == [1, 7, 13]  # UTC
    assert all(r.nominal_at - clock.now() < timedelta(hours=36) for r in rows)
    await svc.checkins.tick()
    assert len(await svc.checkins.checkins_of(case_id)) == len(rows)  # nothing twice
    # A day and more later the rounds still reach at least half a day ahead, none twice.
    for _ in range(4):
        clock.advance(timedelta(hours=13))
        await svc.checkins.plan()
        later = await svc.checkins.checkins_of(case_id)
        assert max(r.nominal_at for r in later) >= clock.now() + timedelta(hours=6)
        assert len({r.nominal_at for r in later}) == len(later)


async def test_spread_due_times_follow_the_case(db: Database, clock: FakeClock) -> None:
    settings = make_settings(str(db.settings.url))
    clock.set(MORNING)
    services = Services(settings, db, clock)
    ids = [await make_case(db, clock.now(), kind="f1") for _ in range(20)]
    await services.checkins.plan()
    offsets = set()
    for case_id in ids:
        first = (await services.checkins.checkins_of(case_id))[0]
        offset = first.due_at - first.nominal_at
        assert timedelta(0) <= offset < timedelta(minutes=30)
        offsets.add(offset)
    assert len(offsets) == 20


async def test_window_reminder_and_miss(svc: Services, db: Database, clock: FakeClock) -> None:
    case_id = await make_case(db, clock.now(), kind="f1", zone=HOME.to_dict())
    await at(svc, clock, "08:00")
    prompts = await deliver(db, clock.now() + timedelta(minutes=5))  # a backlog: sent late
    assert [p.purpose for p in prompts] == ["checkin_prompt"]
    assert "Nguyễn Văn An" in wire(prompts[0]).params["text"]
    await at(svc, clock, "08:10")
    row = (await svc.checkins.checkins_of(case_id))[0]
    assert row.state == "open"
    assert row.prompt_sent_at == datetime(2026, 11, 25, 1, 5, tzinfo=UTC)
    # The reminder comes 60 minutes after the prompt was sent, not after 08:00.
    await at(svc, clock, "09:04")
    assert await deliver(db, clock.now()) == []
    await at(svc, clock, "09:05")
    reminders = await deliver(db, clock.now())
    assert [r.purpose for r in reminders] == ["checkin_reminder"]
    await at(svc, clock, "10:04")
    assert await alerts_of(db, case_id) == []
    await at(svc, clock, "10:05")
    row = (await svc.checkins.checkins_of(case_id))[0]
    assert (row.state, row.outcome) == ("closed", "missed")
    [alert] = await alerts_of(db, case_id)
    assert alert.kind == "missed_checkin"
    assert alert.evidence[0]["round"] == "08:00"


async def test_three_missed_rounds_flag_unreachable_once(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), kind="f0", zone=HOME.to_dict())
    for local in ("08:00", "14:00", "20:00"):
        await at(svc, clock, local)
        await deliver(db, clock.now())
        await at(svc, clock, local[:2] + ":01")
        hour = int(local[:2]) + 2
        await at(svc, clock, f"{hour:02d}:02")
    kinds = [a.kind for a in await alerts_of(db, case_id)]
    assert kinds == ["missed_checkin", "unreachable"]
    async with db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        assert case.unreachable_since is not None
    # A fourth missed round adds evidence; it sends nobody anything new.
    await at(svc, clock, "08:00", day=26)
    await deliver(db, clock.now())
    await at(svc, clock, "08:01", day=26)
    await at(svc, clock, "10:02", day=26)
    alerts = await alerts_of(db, case_id)
    assert [a.kind for a in alerts] == ["missed_checkin", "unreachable"]
    assert len(alerts[1].evidence) == 2


async def answer_all(
    svc: Services, chat: int, checkin_id: int, steps: list[tuple[str, str] | str]
) -> list[Any]:
    """Press buttons ("f", "good") or type texts, in order; returns every result."""
    results = []
    for step in steps:
        if isinstance(step, tuple):
            results.append(await svc.checkins.answer_button(chat, chat, checkin_id, *step))
        else:
            results.append(await svc.checkins.answer_text(chat, chat, step))
    return results


async def test_questionnaire_of_an_f0_with_danger_sign_alerts_at_once(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), kind="f0", chat_id=5001, zone=HOME.to_dict())
    await svc.checkins.plan()
    start = await svc.checkins.start(5001, 5001)
    assert start.question is not None
    cid = start.question.checkin_id
    results = await answer_all(
        svc, 5001, cid, [("f", "tired"), ("s", "fever"), ("s", "chest_pain")]
    )
    assert results[-1].danger == ("chest_pain",)
    # The urgent alert exists before the questionnaire ends.
    assert [a.kind for a in await alerts_of(db, case_id)] == ["danger_signs"]
    results = await answer_all(
        svc, 5001, cid, [("s", "done"), "37,8", "98", ("k", "breaths"), "80"]
    )
    assert [r.question.step if r.question else None for r in results] == [
        "temperature",
        "spo2",
        "breaths",
        "pulse",
        "location",
    ]
    row = (await svc.checkins.checkins_of(case_id))[0]
    assert row.kind == "scheduled"  # the 08:00 round, answered early
    assert row.outcome == "on_time"
    assert row.vitals == {"temperature": 37.8, "spo2": 98.0, "breaths": None, "pulse": 80.0}
    assert row.answers["symptoms"] == ["fever", "chest_pain"]


async def test_out_of_range_is_asked_again(svc: Services, db: Database, clock: FakeClock) -> None:
    await make_case(db, clock.now(), kind="f1", chat_id=5002)
    start = await svc.checkins.start(5002, 5002)
    assert start.question is not None
    cid = start.question.checkin_id
    await answer_all(svc, 5002, cid, [("f", "good"), ("s", "none")])
    for typed in ("378", "ba bảy", "33"):
        result = await svc.checkins.answer_text(5002, 5002, typed)
        assert (result.status, result.retry) == ("retry", "temperature")
    result = await svc.checkins.answer_text(5002, 5002, "37.2")
    assert result.question is not None
    assert result.question.step == "location"


@pytest.mark.parametrize(("second", "alerted"), [("94", True), ("97", False)])
async def test_low_spo2_is_measured_again_after_the_rest(
    svc: Services, db: Database, clock: FakeClock, second: str, alerted: bool
) -> None:
    case_id = await make_case(db, clock.now(), kind="f0", chat_id=5003)
    start = await svc.checkins.start(5003, 5003)
    assert start.question is not None
    cid = start.question.checkin_id
    results = await answer_all(svc, 5003, cid, [("f", "good"), ("s", "none"), "37", "95"])
    assert (results[-1].question.step, results[-1].question.rest_s) == ("spo2_again", 60)
    assert results[-1].danger == ()
    assert await alerts_of(db, case_id) == []
    clock.advance(timedelta(seconds=59.5))
    early = await svc.checkins.answer_text(5003, 5003, second)
    assert (early.status, early.wait_s, early.danger) == ("wait", 1, ())
    clock.advance(timedelta(seconds=0.5))
    result = await svc.checkins.answer_text(5003, 5003, second)
    assert bool(result.danger) is alerted
    assert result.question is not None
    assert result.question.step == "breaths"
    assert [a.kind for a in await alerts_of(db, case_id)] == (["danger_signs"] if alerted else [])
    # Answered before the tick came round: the tick asks for nothing more.
    await svc.checkins.tick()
    assert not [m for m in await deliver(db, clock.now()) if m.purpose == "checkin_spo2_again"]


async def test_cannot_measure_again_while_resting_counts_the_first_reading(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), kind="f0", chat_id=5010)
    start = await svc.checkins.start(5010, 5010)
    assert start.question is not None
    cid = start.question.checkin_id
    await answer_all(svc, 5010, cid, [("f", "good"), ("s", "none"), "37", "93"])
    result = await svc.checkins.answer_button(5010, 5010, cid, "k", "spo2_again")
    assert result.danger == ("spo2_low",)
    clock.advance(timedelta(minutes=2))
    await svc.checkins.tick()
    assert not [m for m in await deliver(db, clock.now()) if m.purpose == "checkin_spo2_again"]
    (row,) = [c for c in await svc.checkins.checkins_of(case_id) if c.answered_at]
    assert (row.step, row.state) == ("breaths", "answered")


async def test_no_rest_is_asked_when_the_interval_is_zero(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    clock.set(MORNING)
    settings = make_settings(database_url, checkins={"spo2_recheck_seconds": 0})
    svc = Services(settings, db, clock)
    await make_case(db, clock.now(), kind="f0", chat_id=5011)
    start = await svc.checkins.start(5011, 5011)
    assert start.question is not None
    cid = start.question.checkin_id
    results = await answer_all(svc, 5011, cid, [("f", "good"), ("s", "none"), "37", "95", "94"])
    assert (results[-2].question.step, results[-2].question.rest_s) == ("spo2_again", 0)
    assert results[-1].danger == ("spo2_low",)


async def test_old_button_after_close_changes_nothing(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), kind="f1", chat_id=5004)
    await at(svc, clock, "08:00")
    await deliver(db, clock.now())
    await at(svc, clock, "10:01")
    await at(svc, clock, "10:02")
    [row] = [r for r in await svc.checkins.checkins_of(case_id) if r.outcome]
    result = await svc.checkins.answer_button(5004, 5004, row.id, "f", "good")
    assert result.status == "closed"
    after = (await svc.checkins.checkins_of(case_id))[0]
    assert (after.outcome, after.answers) == ("missed", {})


async def test_someone_elses_checkin_is_refused(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    await make_case(db, clock.now(), kind="f1", chat_id=5005)
    start = await svc.checkins.start(5005, 5005)
    assert start.question is not None
    with pytest.raises(NotAuthorised):
        await svc.checkins.answer_button(6666, 6666, start.question.checkin_id, "f", "good")


def fix(
    chat: int, lat: float, lon: float, accuracy: float | None, when: datetime, **kw: Any
) -> LocationInput:
    """A location message of a chat."""
    return LocationInput(
        chat_id=chat,
        user_id=chat,
        message_id=kw.pop("message_id", 100),
        lat=lat,
        lon=lon,
        accuracy_m=accuracy,
        date=when,
        **kw,
    )


NEAR_HOME = (19.8077, 105.7765)
FAR = (19.8176, 105.7764)  # about 1.1 km north
EDGE = (19.8082, 105.7764)  # about 67 m north: outside the 50 m circle, within accuracy reach


async def test_location_verdicts(svc: Services, db: Database, clock: FakeClock) -> None:
    case_id = await make_case(db, clock.now(), kind="f1", chat_id=5006, zone=HOME.to_dict())
    now = clock.now()
    inside = await svc.checkins.location(fix(5006, *NEAR_HOME, 10, now))
    assert [r.status for r in inside.replies] == ["inside"]
    forwarded = await svc.checkins.location(fix(5006, *NEAR_HOME, 10, now, forwarded=True))
    assert forwarded.replies[0].rejection_key == "location.rejected.forwarded"
    stale = await svc.checkins.location(fix(5006, *NEAR_HOME, 10, now - timedelta(minutes=10)))
    assert stale.replies[0].rejection_key == "location.rejected.stale"
    assert stale.replies[0].rejection_params == {"age_min": 10}
    clock.advance(timedelta(minutes=10))
    uncertain = await svc.checkins.location(fix(5006, *EDGE, 5, clock.now()))
    assert [r.status for r in uncertain.replies] == ["uncertain"]
    assert await alerts_of(db, case_id) == []
    clock.advance(timedelta(minutes=30))
    outside = await svc.checkins.location(fix(5006, *FAR, 10, clock.now()))
    assert [r.status for r in outside.replies] == ["outside"]
    [alert] = await alerts_of(db, case_id)
    assert alert.kind == "out_of_zone"
    assert alert.evidence[0]["distance_m"] > 1000


async def test_a_location_answer_writes_the_fix_ends_the_talk_and_closes_the_checkin(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), kind="f1", chat_id=5010, zone=HOME.to_dict())
    start = await svc.checkins.start(5010, 5010)
    assert start.question is not None
    checkin_id = start.question.checkin_id
    await answer_all(svc, 5010, checkin_id, [("f", "good"), ("s", "none"), "37,2"])
    assert (await svc.dialogues.current(5010)) is not None
    clock.advance(timedelta(minutes=2))
    result = await svc.checkins.location(fix(5010, *NEAR_HOME, 8, clock.now()))
    assert [(r.status, r.finished) for r in result.replies] == [("inside", True)]
    assert await svc.dialogues.current(5010) is None
    (row,) = await svc.checkins.checkins_of(case_id)
    assert (row.state, row.step, row.outcome) == ("done", "done", "on_time")
    assert row.answered_at is not None
    assert row.answers["location"] == "inside"
    async with db.transaction() as session:
        fixes = (await session.execute(select(LocationFix.checkin_id, LocationFix.verdict))).all()
    assert [tuple(f) for f in fixes] == [(checkin_id, "inside")]


async def test_an_outside_answer_whose_alert_fails_leaves_nothing_half_written(
    svc: Services, db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = await make_case(db, clock.now(), kind="f1", chat_id=5012, zone=HOME.to_dict())
    start = await svc.checkins.start(5012, 5012)
    assert start.question is not None
    await answer_all(svc, 5012, start.question.checkin_id, [("f", "good"), ("s", "none"), "37"])

    async def failing(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the alerts table is unavailable")

    monkeypatch.setattr("bot.alerts.raise_alert", failing)
    with pytest.raises(RuntimeError):
        await svc.checkins.location(fix(5012, *FAR, 10, clock.now()))
    # The fix, the check-in's answer and the end of the conversation went back with it.
    (row,) = await svc.checkins.checkins_of(case_id)
    assert (row.state, row.step) == ("answered", "location")
    assert (await svc.dialogues.current(5012)) is not None
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(LocationFix)) == 0
    monkeypatch.undo()
    result = await svc.checkins.location(fix(5012, *FAR, 10, clock.now()))
    assert [(r.status, r.finished) for r in result.replies] == [("outside", True)]
    assert [a.kind for a in await alerts_of(db, case_id)] == ["out_of_zone"]


async def test_a_spot_check_is_answered_by_an_uncertain_fix_and_missing_at_the_close(
    db: Database, clock: FakeClock
) -> None:
    settings = make_settings(
        str(db.settings.url),
        checkins={"spread_minutes": 0, "spot_checks_per_day": 1, "spot_check_kinds": ["f1"]},
    )
    services = Services(settings, db, clock)
    case_id = await make_case(db, clock.now(), kind="f1", chat_id=5011, zone=HOME.to_dict())
    clock.set(datetime(2026, 11, 24, 17, 0, tzinfo=UTC))  # 00:00 local
    await services.checkins.plan()
    spot = next(c for c in await services.checkins.checkins_of(case_id) if c.kind == "spot")
    clock.set(spot.due_at)
    await services.checkins.tick()
    await deliver(db, clock.now())
    await services.checkins.tick()
    result = await services.checkins.location(fix(5011, *EDGE, 5, clock.now()))
    assert [r.status for r in result.replies] == ["uncertain"]
    assert result.keep_asking
    row = next(c for c in await services.checkins.checkins_of(case_id) if c.id == spot.id)
    assert (row.state, row.outcome) == ("answered", "on_time")
    clock.advance(timedelta(minutes=21))
    await services.checkins.tick()
    row = next(c for c in await services.checkins.checkins_of(case_id) if c.id == spot.id)
    assert (row.state, row.outcome, row.answers["location"]) == ("done", "on_time", "missing")
    assert await alerts_of(db, case_id) == []


async def test_live_stream_drift_raises_nothing_but_staying_out_does(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), kind="f1", chat_id=5007, zone=HOME.to_dict())
    start = clock.now()
    first = await svc.checkins.location(
        fix(5007, *NEAR_HOME, 10, start, live_period=900, message_id=7)
    )
    assert [r.status for r in first.replies] == ["inside"]

    async def edit(seconds: int, point: tuple[float, float]) -> None:
        clock.set(start + timedelta(seconds=seconds))
        await svc.checkins.location(
            fix(5007, *point, 10, clock.now(), live_period=900, message_id=7, edited=True)
        )

    await edit(30, FAR)  # one drifting fix
    await edit(60, NEAR_HOME)
    assert await alerts_of(db, case_id) == []
    await edit(90, FAR)
    await edit(200, FAR)
    await edit(300, FAR)
    [alert] = await alerts_of(db, case_id)
    assert alert.kind == "out_of_zone"
    assert alert.evidence[0]["live"] is True
    # Sharing stopped early: recorded on the stream.
    clock.set(start + timedelta(seconds=400))
    await svc.checkins.location(fix(5007, *FAR, 10, clock.now(), message_id=7, edited=True))
    async with db.transaction() as session:
        stream = await session.scalar(select(LiveStream).where(LiveStream.case_id == case_id))
        assert stream is not None
        assert stream.stopped_early is True


async def test_sos_raises_the_most_urgent_alert(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    first = await make_case(db, clock.now(), chat_id=5008, full_name="Bà Hoa")
    second = await make_case(db, clock.now(), chat_id=5008, full_name="Ông Tư")
    alone = await make_case(db, clock.now(), chat_id=5009, full_name="Cô Mai")
    assert (await svc.checkins.sos(5009)).status == "raised"
    assert [a.kind for a in await alerts_of(db, alone)] == ["sos"]
    # A household: the alert is raised for every person of the chat before any name is
    # pressed (nobody waits behind a button); the name then joins that person's alert.
    choose = await svc.checkins.sos(5008)
    assert choose.status == "choose"
    assert [c.name for c in choose.choices] == ["Bà Hoa", "Ông Tư"]
    assert [a.kind for a in await alerts_of(db, first)] == ["sos"]
    assert [a.kind for a in await alerts_of(db, second)] == ["sos"]
    named = await svc.checkins.sos(5008, second)
    assert (named.status, named.name) == ("named", "Ông Tư")
    (alert,) = await alerts_of(db, second)
    assert [e["source"] for e in alert.evidence] == ["sos_command", "sos_named"]
    assert alert.evidence[0]["household"] == 2
    assert len(await alerts_of(db, first)) == 1
    with pytest.raises(NotAuthorised):
        await svc.checkins.sos(5008, alone)
    assert (await svc.checkins.sos(4040)).status == "not_a_case"


async def test_a_restarted_tick_prompts_once(
    checkin_settings: Settings, db: Database, clock: FakeClock
) -> None:
    clock.set(MORNING)
    for _ in range(30):
        await make_case(db, clock.now(), kind="f1")
    first = Services(checkin_settings, db, clock)
    await first.checkins.plan()
    clock.set(MORNING + timedelta(hours=1))
    # Two processes (or one before and one after a restart) tick the same minute.
    second = Services(checkin_settings, db, clock)
    await first.checkins.tick()
    await second.checkins.tick()
    async with db.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.purpose == "checkin_prompt")
        )
    assert count == 30


async def test_released_case_is_not_prompted(svc: Services, db: Database, clock: FakeClock) -> None:
    case_id = await make_case(db, clock.now(), kind="f1")
    await svc.checkins.plan()
    async with db.transaction() as session:
        await session.execute(update(Case).where(Case.id == case_id).values(status="released"))
    await at(svc, clock, "08:00")
    rows = await svc.checkins.checkins_of(case_id)
    assert rows[0].outcome == "cancelled"
    assert await deliver(db, clock.now()) == []


async def test_officer_changes_a_cases_times(svc: Services, db: Database, clock: FakeClock) -> None:
    case_id = await make_case(db, clock.now(), kind="f1")
    await svc.checkins.plan()
    officer = await svc.officers.invite("officer", "hac thanh", "bot")
    from tests.harness import start_code

    await svc.officers.redeem(start_code(officer.link), 777, "Cán bộ")
    assert await svc.checkins.set_times(777, case_id, ["09:30", "21:00"]) == ("09:30", "21:00")
    await svc.checkins.plan()
    rows = await svc.checkins.checkins_of(case_id)
    assert [r.nominal_at.hour for r in rows if r.state == "scheduled"][:2] == [2, 14]
    with pytest.raises(NotAuthorised):
        await svc.checkins.set_times(778, case_id, ["09:00"])


async def test_next_checkin_for_status(svc: Services, db: Database, clock: FakeClock) -> None:
    case_id = await make_case(db, clock.now(), kind="f1")
    expected = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
    async with db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        assert await next_checkin_at(session, case, clock.now(), svc.settings) == expected
    await svc.checkins.plan()
    async with db.transaction() as session:
        assert (await session.scalar(select(func.count()).select_from(Checkin)) or 0) >= 2
        case = await session.get(Case, case_id)
        assert case is not None
        assert await next_checkin_at(session, case, clock.now(), svc.settings) == expected


async def test_planning_in_slices_covers_every_case_once_and_spreads_replanning(
    svc: Services, db: Database, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planning, "BATCH", 5)
    ids = [await make_case(db, clock.now(), kind="f1") for _ in range(23)]
    # The tick plans a bounded slice (4 batches of 5 cases here), and leaves the rest.
    await svc.checkins.tick()
    async with db.transaction() as session:
        planned = set(await session.scalars(select(CheckinPlan.case_id)))
    assert len(planned) == 20
    # The next slice goes on from there: every case planned, none twice.
    await svc.checkins.tick()
    async with db.transaction() as session:
        plans = dict(
            (await session.execute(select(CheckinPlan.case_id, CheckinPlan.planned_until))).all()
        )
        keys = (
            await session.execute(select(Checkin.case_id, Checkin.kind, Checkin.nominal_at))
        ).all()
    assert set(plans) == set(ids)
    assert len(keys) == len(set(keys))
    # Each plan ends at its own time, so re-planning falls due case by case, not all at once.
    ends = sorted(plans.values())
    assert len(set(ends)) == len(ends)
    assert ends[-1] - ends[0] >= timedelta(hours=9)
    clock.advance(timedelta(hours=13))
    written = await svc.checkins.plan()
    async with db.transaction() as session:
        replanned = await session.scalar(
            select(func.count())
            .select_from(CheckinPlan)
            .where(CheckinPlan.updated_at == clock.now())
        )
    assert written > 0
    assert 0 < (replanned or 0) < len(ids)


async def test_after_a_downtime_the_missed_rounds_are_written_and_cancelled(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), kind="f1")
    await svc.checkins.plan()
    planned = await svc.checkins.checkins_of(case_id)
    # Three days without a tick: the plan ended long before the planner's calendar starts.
    clock.advance(timedelta(days=3))
    await svc.checkins.tick()
    rows = await svc.checkins.checkins_of(case_id)
    nominal = [r.nominal_at for r in rows]
    assert nominal == sorted(set(nominal))  # every round once, in order
    missed = [r for r in rows[len(planned) :] if r.nominal_at < clock.now() - timedelta(hours=3)]
    assert missed  # the rounds of the downtime were written, continuing the plan ...
    assert {r.outcome for r in missed} == {"cancelled"}  # ... and cancelled, not missed
    assert any(r.state == "scheduled" and r.due_at > clock.now() for r in rows)


async def test_prompts_sent_opens_the_windows_of_those_the_outbox_says_sent(
    svc: Services, db: Database, clock: FakeClock
) -> None:
    ids = [await make_case(db, clock.now(), kind="f1", chat_id=30 + i) for i in range(3)]
    await at(svc, clock, "08:00")
    async with db.transaction() as session:
        queued = list(await session.scalars(select(Checkin).where(Checkin.state == "queued")))
        assert {row.case_id for row in queued} == set(ids)
        # Two prompts went out; the third is still waiting in the outbox.
        sent, waiting = queued[:2], queued[2]
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([row.prompt_outbox_id for row in sent]))
            .values(state="sent", sent_at=clock.now())
        )
        told = [("checkin_prompt", row.id, clock.now()) for row in queued]
        await prompts_sent(svc.settings.checkins, session, [*told, ("digest", 1, clock.now())])
    async with db.transaction() as session:
        rows = {row.id: row for row in await session.scalars(select(Checkin))}
    window = timedelta(minutes=svc.settings.checkins.window_minutes)
    for row in sent:
        assert rows[row.id].state == "open"
        assert rows[row.id].closes_at == clock.now() + window
    assert rows[waiting.id].state == "queued"  # its prompt is not sent: nothing to open
