"""The case service: registration, links, consent, home, lifecycle, ticks, import, rights."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.alerts import CONSENT_REFUSED, UNREACHABLE
from bot.case_files import CaseDraft
from bot.cases import (
    CODE_ALPHABET,
    EXTEND,
    HOSPITALIZE,
    RELEASE,
    TRANSFER,
    isolation_day,
    new_case_code,
)
from bot.clock import FakeClock
from bot.db import Database
from bot.errors import UserError
from bot.models import Alert, AuditEntry, Case, Checkin, Dialogue, LocationFix, OutboxMessage
from bot.services import Services
from geofence import Fix, FixKind
from tests.factories import HAC_THANH, make_case
from tests.harness import start_code
from tests.outbox import wire

BOT = "cachly_test_bot"
OFFICER = 1001
OTHER_OFFICER = 2002  # Phường Đông Sơn, same province
SUPERVISOR = 3003
STRANGER = 4004
PERSON = 5005
DONG_SON = 16378


async def _officer(services: Services, user_id: int, area: str, role: str = "officer") -> None:
    issued = await services.officers.invite(role, area, BOT)
    await services.officers.redeem(start_code(issued.link), user_id, f"Officer {user_id}")


@pytest.fixture
async def people(services: Services) -> Services:
    """An officer of Hạc Thành, one of Đông Sơn, and the Thanh Hóa supervisor."""
    await _officer(services, OFFICER, "hac thanh")
    await _officer(services, OTHER_OFFICER, str(DONG_SON))
    await _officer(services, SUPERVISOR, "Thanh Hóa", "supervisor")
    return services


def _draft(**changes: Any) -> CaseDraft:
    values: dict[str, Any] = {
        "full_name": "Trần Văn Bình",
        "phone": "+84912345678",
        "birth_year": 1970,
        "address": "5 Lê Lai",
        "kind": "f1",
    }
    values.update(changes)
    return CaseDraft(**values)


async def _rows(db: Database, model: Any, *where: Any) -> list[Any]:
    async with db.transaction() as session:
        return list(await session.scalars(select(model).where(*where)))


def test_case_codes_use_unambiguous_characters() -> None:
    codes = {new_case_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 6
        assert set(code) <= set(CODE_ALPHABET)
    assert not set("01OIL") & set(CODE_ALPHABET)


def test_day_of_isolation() -> None:
    start = date(2026, 11, 20)
    end = start + timedelta(days=14)
    assert isolation_day(start, end, start) == (1, 14)
    assert isolation_day(start, end, start + timedelta(days=2)) == (3, 14)
    assert isolation_day(start, end, end + timedelta(days=3)) == (14, 14)


async def test_register_defaults_dates_from_kind_and_audits_without_personal_data(
    people: Services, db: Database
) -> None:
    issued = await people.cases.register(OFFICER, _draft(kind="f0"), BOT)
    case = issued.case
    today = people.cases.today()
    assert case.status == "pending"
    assert case.start_date == today
    assert case.end_date == today + timedelta(days=people.settings.cases.f0_days)
    assert issued.link.startswith(f"https://t.me/{BOT}?start=p_")
    assert len(start_code(issued.link)) <= 64
    entries = await _rows(db, AuditEntry, AuditEntry.action == "case.register")
    assert len(entries) == 1
    details = str(entries[0].details)
    assert "Bình" not in details
    assert "912345678" not in details


async def test_home_given_at_registration_builds_the_zone(people: Services) -> None:
    issued = await people.cases.register(OFFICER, _draft(home=(19.8067, 105.7852)), BOT)
    assert issued.case.home_status == "set"
    assert issued.case.zone == {
        "type": "circle",
        "lat": 19.8067,
        "lon": 105.7852,
        "radius_m": 50.0,
    }


async def test_same_person_twice_is_refused_but_a_household_phone_is_not(
    people: Services,
) -> None:
    first = await people.cases.register(OFFICER, _draft(), BOT)
    with pytest.raises(UserError) as refused:
        await people.cases.register(OFFICER, _draft(full_name="trần văn  bình"), BOT)
    assert refused.value.key == "cases.duplicate"
    assert refused.value.params == {"code": first.case.code}
    # Grandmother enrolled on her son's phone: same number, another person.
    await people.cases.register(OFFICER, _draft(full_name="Lê Thị Mai"), BOT)


async def test_supervisor_cannot_register(people: Services) -> None:
    with pytest.raises(UserError) as refused:
        await people.cases.register(SUPERVISOR, _draft(), BOT)
    assert refused.value.key == "cases.officer_only"


async def _enrol(services: Services, link: str, user_id: int = PERSON) -> None:
    invitation = await services.cases.open_link(start_code(link), user_id, user_id)
    await services.cases.answer_consent(user_id, user_id, invitation.case_id, True, "vi")


async def test_consent_binds_once_and_the_link_is_single_use(
    people: Services, db: Database
) -> None:
    issued = await people.cases.register(OFFICER, _draft(), BOT)
    await _enrol(people, issued.link)
    (case,) = await _rows(db, Case)
    assert case.status == "active"
    assert case.chat_id == PERSON
    assert case.consent_at is not None
    with pytest.raises(UserError) as reused:
        await people.cases.open_link(start_code(issued.link), 6006, 6006)
    assert reused.value.key == "enrol.invalid"
    # Without a home, the person is now asked for it.
    (dialogue,) = await _rows(db, Dialogue)
    assert (dialogue.flow, dialogue.step) == ("home", "pin")


async def test_refusal_binds_nothing_and_alerts_the_officers(
    people: Services, db: Database
) -> None:
    issued = await people.cases.register(OFFICER, _draft(), BOT)
    invitation = await people.cases.open_link(start_code(issued.link), PERSON, PERSON)
    result = await people.cases.answer_consent(PERSON, PERSON, invitation.case_id, False, "vi")
    assert not result.agreed
    (case,) = await _rows(db, Case)
    assert case.status == "pending"
    assert case.chat_id is None
    assert case.consent_at is None
    (alert,) = await _rows(db, Alert)
    assert alert.kind == CONSENT_REFUSED
    assert alert.case_id == case.id
    copies = await _rows(db, OutboxMessage, OutboxMessage.purpose == "alert")
    assert {row.chat_id for row in copies} == {OFFICER}


async def test_consent_needs_the_link_opened_in_the_same_chat(people: Services) -> None:
    issued = await people.cases.register(OFFICER, _draft(), BOT)
    invitation = await people.cases.open_link(start_code(issued.link), PERSON, PERSON)
    with pytest.raises(UserError):
        await people.cases.answer_consent(6006, 6006, invitation.case_id, True, "vi")
    with pytest.raises(UserError):
        await people.cases.answer_consent(PERSON, PERSON, invitation.case_id + 1, True, "vi")


async def test_links_expire_and_a_new_link_replaces_the_old(
    people: Services, clock: FakeClock
) -> None:
    issued = await people.cases.register(OFFICER, _draft(), BOT)
    clock.advance(timedelta(hours=72, seconds=1))
    with pytest.raises(UserError):
        await people.cases.open_link(start_code(issued.link), PERSON, PERSON)
    fresh = await people.cases.new_link(OFFICER, issued.case.code.lower(), BOT)
    with pytest.raises(UserError):
        await people.cases.open_link(start_code(issued.link), PERSON, PERSON)
    await _enrol(people, fresh.link)
    with pytest.raises(UserError) as again:
        await people.cases.new_link(OFFICER, issued.case.code, BOT)
    assert again.value.key == "cases.already_enrolled"


async def test_a_household_binds_several_cases_to_one_chat(people: Services, db: Database) -> None:
    first = await people.cases.register(OFFICER, _draft(), BOT)
    second = await people.cases.register(OFFICER, _draft(full_name="Lê Thị Mai"), BOT)
    await _enrol(people, first.link)
    await _enrol(people, second.link)
    cases = await _rows(db, Case, Case.chat_id == PERSON)
    assert {c.status for c in cases} == {"active"}
    assert len(cases) == 2
    statuses = await people.cases.person_status(PERSON, PERSON)
    assert [s.full_name for s in statuses] == ["Trần Văn Bình", "Lê Thị Mai"]

    # One pin at home proposes the home of both.
    names = await people.cases.propose_home(
        PERSON, PERSON, _fix(people), forwarded=False, is_venue=False, message_date=_now(people)
    )
    assert names == ["Trần Văn Bình", "Lê Thị Mai"]


def _now(services: Services) -> datetime:
    return services.clock.now()


def _fix(services: Services, lat: float = 19.8067, lon: float = 105.7852) -> Fix:
    return Fix(lat, lon, 15.0, _now(services), FixKind.CURRENT)


async def test_home_pin_is_confirmed_or_asked_again(people: Services, db: Database) -> None:
    issued = await people.cases.register(OFFICER, _draft(), BOT)
    await _enrol(people, issued.link)
    with pytest.raises(UserError) as forwarded:
        await people.cases.propose_home(
            PERSON, PERSON, _fix(people), forwarded=True, is_venue=False, message_date=_now(people)
        )
    assert forwarded.value.key == "home.rejected.forwarded"
    await people.cases.propose_home(
        PERSON, PERSON, _fix(people), forwarded=False, is_venue=False, message_date=_now(people)
    )
    rows = await _rows(db, OutboxMessage)
    pins = [row for row in rows if wire(row).method == "sendLocation"]
    assert [p.chat_id for p in pins] == [OFFICER]

    rejected = await people.cases.decide_home(OFFICER, issued.case.id, accept=False)
    assert rejected.home_status == "not_set"
    (dialogue,) = await _rows(db, Dialogue, Dialogue.telegram_user_id == PERSON)
    assert dialogue.flow == "home"
    with pytest.raises(UserError):
        await people.cases.decide_home(OFFICER, issued.case.id, accept=True)

    await people.cases.propose_home(
        PERSON, PERSON, _fix(people), forwarded=False, is_venue=False, message_date=_now(people)
    )
    accepted = await people.cases.decide_home(OFFICER, issued.case.id, accept=True)
    assert accepted.home_status == "set"
    assert accepted.zone is not None
    assert accepted.zone["radius_m"] == 50.0


async def test_extend_hospitalize_and_release_need_an_open_case(
    people: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), chat_id=PERSON)
    (case,) = await _rows(db, Case)
    preview = await people.cases.preview_change(OFFICER, case.code, EXTEND, days=3)
    assert preview.new_end_date == case.end_date + timedelta(days=3)
    assert (await _rows(db, Case))[0].end_date == case.end_date  # nothing written yet
    with pytest.raises(UserError):
        await people.cases.preview_change(OFFICER, case.code, EXTEND, days=0)
    done = await people.cases.apply_change(OFFICER, case_id, EXTEND, days=3)
    assert done.case.end_date == case.end_date + timedelta(days=3)
    await people.cases.apply_change(OFFICER, case_id, HOSPITALIZE)
    with pytest.raises(UserError) as twice:
        await people.cases.preview_change(OFFICER, case.code, HOSPITALIZE)
    assert twice.value.key == "cases.closed"
    released = await people.cases.apply_change(OFFICER, case_id, RELEASE)
    assert released.case.status == "released"
    actions = [
        e.action
        for e in await _rows(
            db, AuditEntry, AuditEntry.subject_type == "case", AuditEntry.subject_id == str(case_id)
        )
    ]
    assert actions == ["case.extend", "case.hospitalize", "case.release"]
    notices = await _rows(db, OutboxMessage, OutboxMessage.chat_id == PERSON)
    assert any("kéo dài" in wire(n).params["text"] for n in notices)


async def test_transfer_continues_the_case_in_the_other_commune(
    people: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), chat_id=PERSON, zone={"type": "circle"})
    (case,) = await _rows(db, Case)
    done = await people.cases.apply_change(OFFICER, case_id, TRANSFER, commune="dong son")
    assert done.case.status == "transferred"
    old, new = sorted(await _rows(db, Case), key=lambda c: c.id)
    assert old.transferred_to_id == new.id
    assert (new.commune_code, new.status, new.chat_id, new.home_status) == (
        DONG_SON,
        "active",
        PERSON,
        "not_set",
    )
    assert new.code != case.code
    # The other commune now sees it; this one no longer lists it.
    assert [c.code for c in await people.cases.list_cases(OTHER_OFFICER)] == [new.code]
    assert await people.cases.list_cases(OFFICER) == []
    notices = await _rows(db, OutboxMessage, OutboxMessage.chat_id == OTHER_OFFICER)
    assert any("chuyển đến" in wire(n).params["text"] for n in notices)


async def test_release_happens_on_the_end_date_at_the_local_release_time(
    people: Services, db: Database, clock: FakeClock
) -> None:
    end = date(2026, 11, 28)
    await make_case(db, clock.now(), chat_id=PERSON, end_date=end)
    await make_case(db, clock.now(), status="pending", end_date=end)
    await make_case(db, clock.now(), chat_id=6006, end_date=end + timedelta(days=1))
    # 06:59 in Hanoi on the end date: not yet.
    clock.set(datetime(2026, 11, 27, 23, 59, tzinfo=UTC))
    assert await people.cases.release_due() == 0
    clock.set(datetime(2026, 11, 28, 0, 0, tzinfo=UTC))  # 07:00 local
    assert await people.cases.release_due() == 2
    assert await people.cases.release_due() == 0
    statuses = sorted((c.end_date, c.status) for c in await _rows(db, Case))
    assert statuses == [(end, "released"), (end, "released"), (end + timedelta(1), "active")]
    (notice,) = await _rows(db, OutboxMessage, OutboxMessage.chat_id == PERSON)
    assert "hoàn thành thời gian cách ly" in wire(notice).params["text"]


async def test_a_case_never_enrolled_is_flagged_once(
    people: Services, db: Database, clock: FakeClock
) -> None:
    issued = await people.cases.register(OFFICER, _draft(), BOT)
    assert await people.cases.flag_unenrolled() == 0
    clock.advance(timedelta(hours=people.settings.cases.enrol_deadline_hours))
    assert await people.cases.flag_unenrolled() == 1
    assert await people.cases.flag_unenrolled() == 0
    (alert,) = await _rows(db, Alert)
    assert alert.kind == UNREACHABLE
    assert alert.evidence[0]["reason"] == "never_enrolled"
    (listed,) = await people.cases.list_cases(OFFICER)
    assert listed.enrol_overdue
    assert listed.code == issued.case.code


async def test_export_has_the_import_columns(
    people: Services, db: Database, clock: FakeClock
) -> None:
    await make_case(db, clock.now(), full_name="<b>Nguyễn</b> & Co")
    await make_case(db, clock.now(), commune_code=DONG_SON, full_name="Người Đông Sơn")
    files = await people.cases.export(OFFICER)
    assert files.rows == 1
    text = files.csv.decode("utf-8-sig")
    header = text.splitlines()[0]
    assert header.startswith("Họ và tên,Số điện thoại,Năm sinh,Địa chỉ,Loại")
    assert "<b>Nguyễn</b> & Co" in text
    assert "Đông Sơn" not in text
    assert (await people.cases.export(SUPERVISOR)).rows == 2


# ---- the authorisation matrix ---------------------------------------------------------

ROLES = {
    "officer of the commune": (OFFICER, True),
    "officer of another commune": (OTHER_OFFICER, False),
    "supervisor of the province": (SUPERVISOR, True),
    "stranger": (STRANGER, False),
}


async def _act(services: Services, action: str, user: int, case_id: int, code: str) -> object:
    cases = services.cases
    if action == "show":
        return await cases.case(user, code)
    if action == "list":
        listed = await cases.list_cases(user)
        if not any(c.id == case_id for c in listed):
            raise UserError("auth.not_allowed")
        return listed
    if action == "newlink":
        return await cases.new_link(user, code, BOT)
    if action == "preview":
        return await cases.preview_change(user, code, EXTEND, days=2)
    if action == "extend":
        return await cases.apply_change(user, case_id, EXTEND, days=2)
    if action == "release":
        return await cases.apply_change(user, case_id, RELEASE)
    if action == "hospitalize":
        return await cases.apply_change(user, case_id, HOSPITALIZE)
    if action == "transfer":
        return await cases.apply_change(user, case_id, TRANSFER, commune="sam son")
    if action == "home":
        return await cases.decide_home(user, case_id, accept=True)
    if action == "export":
        files = await cases.export(user)
        if files.rows == 0:
            raise UserError("auth.not_allowed")
        return files
    raise AssertionError(action)


@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize(
    "action",
    [
        "show",
        "list",
        "newlink",
        "preview",
        "extend",
        "release",
        "hospitalize",
        "transfer",
        "home",
        "export",
    ],
)
async def test_authorisation_matrix(
    people: Services, db: Database, clock: FakeClock, role: str, action: str
) -> None:
    user, allowed = ROLES[role]
    case_id = await make_case(db, clock.now(), status="pending", commune_code=HAC_THANH)
    async with db.transaction() as session:
        case = await session.get_one(Case, case_id)
        case.home_status = "proposed"
        case.proposed_home = {"lat": 19.8067, "lon": 105.7852, "accuracy_m": 10.0}
    before = (case.status, case.end_date, case.commune_code, case.home_status)
    if allowed:
        await _act(people, action, user, case_id, case.code)
        return
    with pytest.raises(UserError):
        await _act(people, action, user, case_id, case.code)
    (after,) = await _rows(db, Case, Case.id == case_id)
    assert (after.status, after.end_date, after.commune_code, after.home_status) == before


async def test_one_case_shows_its_latest_check_in_and_location(
    people: Services, db: Database, clock: FakeClock
) -> None:
    case_id = await make_case(db, clock.now(), chat_id=PERSON)
    now = clock.now()
    async with db.transaction() as session:
        session.add(
            Checkin(
                case_id=case_id,
                kind="scheduled",
                nominal_at=now - timedelta(hours=2),
                due_at=now - timedelta(hours=2),
                state="done",
                answered_at=now - timedelta(hours=1),
                created_at=now,
            )
        )
        session.add(
            Checkin(
                case_id=case_id,
                kind="scheduled",
                nominal_at=now + timedelta(hours=5),
                due_at=now + timedelta(hours=5, minutes=7),
                state="scheduled",
                created_at=now,
            )
        )
        session.add(
            LocationFix(
                case_id=case_id,
                lat=19.8,
                lon=105.78,
                taken_at=now - timedelta(minutes=30),
                fix_kind="current",
                verdict="outside",
                distance_m=240.0,
                received_at=now,
            )
        )
    (case,) = await _rows(db, Case)
    view = await people.cases.case(OFFICER, case.code)
    assert view.last_checkin_at == now - timedelta(hours=1)
    assert (view.last_verdict, view.last_distance_m) == ("outside", 240.0)
    (status,) = await people.cases.person_status(PERSON, PERSON)
    assert status.next_checkin == now + timedelta(hours=5, minutes=7)
    files = await people.cases.export(OFFICER)
    assert (now - timedelta(hours=1)).astimezone(people.settings.schedule.tz).strftime(
        "%d/%m/%Y %H:%M"
    ) in files.csv.decode("utf-8-sig")
    checkins = await people.cases.export_checkins(OFFICER)
    assert checkins.rows == 2
    lines = checkins.csv.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mã ca,Họ và tên,Giờ khai báo,Trả lời lúc,Kết quả,Cảm thấy,")
    assert (await people.cases.export_checkins(OTHER_OFFICER)).rows == 0


async def test_a_code_or_a_name_with_a_nul_character_is_read_without_it(
    people: Services, db: Database
) -> None:
    # Anyone can type U+0000; PostgreSQL's text cannot hold it. The officer gets the
    # plain "not found" (or the case), never a failed update.
    await people.cases.register(OFFICER, _draft(full_name="Nguyễn\x00 Văn A"), BOT)
    (case,) = await _rows(db, Case)
    assert case.full_name == "Nguyễn Văn A"
    view = await people.cases.case(OFFICER, case.code[:3] + "\x00" + case.code[3:])
    assert view.code == case.code
    with pytest.raises(UserError) as refused:
        await people.cases.case(OFFICER, "TH\x00-999999")
    assert refused.value.key == "cases.not_found"
