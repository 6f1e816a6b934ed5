"""Citizen reports, service level: anonymity, limits, merging, routing, handling, purge."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.alerts import CITIZEN_REPORT
from bot.clock import FakeClock
from bot.config import ConfigError, Settings, settings_from_mapping
from bot.db import Database
from bot.errors import NotAuthorised, UserError
from bot.models import Alert, AuditEntry, Case, CitizenReport, Commune, OutboxMessage
from bot.reports import (
    ABUSE,
    CONFIRMED,
    NOTICE,
    STEP_COMMUNE,
    STEP_CONFIRM,
    Attachment,
    AttachmentKind,
    ReporterKeys,
    report_counts,
)
from bot.services import Services
from tests.conftest import make_settings
from tests.factories import HAC_THANH, make_case
from tests.harness import BOT_USERNAME, start_code
from tests.outbox import wire

SECRET = "a-test-secret-for-citizen-reports-0123456789"
HAM_RONG = 14758  # Phường Hàm Rồng, Thanh Hóa, next to Hạc Thành
INSIDE_HAC_THANH = (19.805, 105.775)
INSIDE_HAM_RONG = (19.835, 105.775)
REPORTER = 555_000_111


def square(south: float, west: float, north: float, east: float) -> dict[str, Any]:
    """A GeoJSON polygon (lon, lat positions) for a commune boundary."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


async def load_boundaries(db: Database) -> None:
    """Two neighbouring communes with boundaries, as the lead's loader will store them."""
    async with db.transaction() as session:
        for code, box in (
            (HAC_THANH, square(19.79, 105.76, 19.82, 105.79)),
            (HAM_RONG, square(19.82, 105.76, 19.85, 105.79)),
        ):
            await session.execute(update(Commune).where(Commune.code == code).values(boundary=box))


@pytest.fixture
def report_settings(database_url: str) -> Settings:
    """Settings with a reports secret, as a deployment must configure."""
    return make_settings(database_url, reports={"secret": SECRET})


@pytest.fixture
def services(report_settings: Settings, db: Database, clock: FakeClock) -> Services:
    """Every service, with citizen reports switched on."""
    return Services(report_settings, db, clock)


async def officer(services: Services, telegram_user_id: int, area: str = "hac thanh") -> int:
    """Make an officer (or a supervisor for a province name) and return their Telegram id."""
    role = "supervisor" if area == "thanh hoa" else "officer"
    issued = await services.officers.invite(role, area, BOT_USERNAME)
    await services.officers.redeem(
        start_code(issued.link), telegram_user_id, f"Officer {telegram_user_id}"
    )
    return telegram_user_id


async def send_report(
    services: Services,
    user_id: int = REPORTER,
    text: str = "Nhà số 12 Lê Lợi có người đi ra chợ",
    commune: str = "hac thanh",
    point: tuple[float, float] | None = None,
) -> str:
    """Go through the whole conversation; returns the reference."""
    reports = services.reports
    await reports.begin(user_id, user_id)
    await reports.give_text(user_id, text)
    await reports.give_photo(user_id, None)
    draft = await reports.give_location(user_id, point, None)
    if draft.step == STEP_COMMUNE:
        found = await reports.search_communes(user_id, commune)
        draft = await reports.choose_commune(user_id, found[0].code)
    assert draft.step == STEP_CONFIRM
    return (await reports.submit(user_id)).reference


async def only_report(db: Database, reference: str) -> CitizenReport:
    async with db.transaction() as session:
        report = await session.scalar(
            select(CitizenReport).where(CitizenReport.reference == reference)
        )
    assert report is not None
    return report


async def outbox(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as session:
        return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


def test_reporter_keys_hide_the_id_and_seal_the_chat() -> None:
    keys = ReporterKeys(SECRET)
    assert keys.pseudonym(REPORTER) == keys.pseudonym(REPORTER)
    assert str(REPORTER) not in keys.pseudonym(REPORTER)
    assert keys.pseudonym(REPORTER) != ReporterKeys(SECRET + "x").pseudonym(REPORTER)
    sealed = keys.seal(REPORTER)
    assert str(REPORTER) not in sealed
    assert sealed != keys.seal(REPORTER)
    assert keys.unseal(sealed) == REPORTER
    assert ReporterKeys(SECRET + "x").unseal(sealed) is None
    tampered = sealed[:20] + ("A" if sealed[20] != "A" else "B") + sealed[21:]
    assert keys.unseal(tampered) is None
    assert keys.unseal("not sealed at all") is None


async def test_reports_are_off_without_a_secret(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    plain = Services(make_settings(database_url), db, clock)
    with pytest.raises(UserError) as refused:
        await plain.reports.begin(REPORTER, REPORTER)
    assert refused.value.key == "report.disabled"


async def test_a_report_goes_to_the_commune_officers_and_keeps_no_id(
    services: Services, db: Database
) -> None:
    lan = await officer(services, 1001)
    other = await officer(services, 1002, "ham rong")
    reference = await send_report(services)

    report = await only_report(db, reference)
    assert report.commune_code == HAC_THANH
    assert report.routed_by == "choice"
    row = json.dumps(
        {c.name: str(getattr(report, c.name)) for c in CitizenReport.__table__.columns}
    )
    assert str(REPORTER) not in row
    assert report.reply_to is not None
    async with db.transaction() as session:
        alert = await session.get(Alert, report.alert_id)
    assert alert is not None
    assert alert.kind == CITIZEN_REPORT
    assert alert.commune_code == HAC_THANH
    rows = await outbox(db)
    assert {r.chat_id for r in rows} == {lan}
    card = next(r for r in rows if r.purpose == "report.card")
    assert "12 Lê Lợi" in wire(card).params["text"]
    assert reference in wire(card).params["text"]
    assert other not in {r.chat_id for r in rows}
    assert all(str(REPORTER) not in json.dumps(wire(r).params) for r in rows)


async def test_text_length_and_attachments_are_checked(services: Services) -> None:
    reports = services.reports
    await reports.begin(REPORTER, REPORTER)
    with pytest.raises(UserError) as short:
        await reports.give_text(REPORTER, "ngắn")
    assert short.value.key == "report.text_length"
    with pytest.raises(UserError):
        await reports.give_text(REPORTER, "x" * 1001)
    await reports.give_text(REPORTER, "Có người ra khỏi nhà lúc 7 giờ")
    with pytest.raises(UserError) as pdf:
        await reports.give_photo(
            REPORTER, Attachment(AttachmentKind.DOCUMENT, "f1", 1000, "application/pdf")
        )
    assert pdf.value.key == "report.not_a_photo"
    with pytest.raises(UserError) as voice:
        await reports.give_photo(REPORTER, Attachment(AttachmentKind.OTHER))
    assert voice.value.key == "report.not_a_photo"
    with pytest.raises(UserError) as big:
        await reports.give_photo(
            REPORTER, Attachment(AttachmentKind.PHOTO, "f2", 10 * 1024 * 1024 + 1)
        )
    assert big.value.key == "report.photo_too_big"
    draft = await reports.give_photo(
        REPORTER, Attachment(AttachmentKind.DOCUMENT, "f3", 2000, "image/jpeg")
    )
    assert draft.has_photo
    assert draft.step == "location"


async def test_fourth_report_in_an_hour_and_eleventh_in_a_day_are_refused(
    services: Services, clock: FakeClock
) -> None:
    for n in range(3):
        await send_report(services, text=f"Báo cáo số {n} về người ra ngoài")
    with pytest.raises(UserError) as hour:
        await services.reports.begin(REPORTER, REPORTER)
    assert hour.value.key == "report.limit_hour"
    # Someone else is not affected.
    await services.reports.begin(REPORTER + 1, REPORTER + 1)
    sent = 3
    while sent < 10:
        clock.advance(timedelta(minutes=61))
        for _ in range(min(3, 10 - sent)):
            await send_report(services, text=f"Báo cáo số {sent} về người ra ngoài")
            sent += 1
    clock.advance(timedelta(minutes=61))
    with pytest.raises(UserError) as day:
        await services.reports.begin(REPORTER, REPORTER)
    assert day.value.key == "report.limit_day"


async def test_twice_marked_abuser_is_limited_to_one_a_day(
    services: Services, clock: FakeClock
) -> None:
    lan = await officer(services, 1001)
    for n in range(2):
        reference = await send_report(services, text=f"Tin đồn thất thiệt số {n} ở đây")
        report_id = (await only_report(services.db, reference)).id
        await services.reports.close(lan, report_id, ABUSE)
    clock.advance(timedelta(days=1, minutes=1))
    await send_report(services, text="Một phản ánh nữa sau một ngày")
    clock.advance(timedelta(hours=2))
    with pytest.raises(UserError) as limited:
        await services.reports.begin(REPORTER, REPORTER)
    # The same words as anyone over the daily limit: nothing says they were marked.
    assert limited.value.key == "report.limit_day"


async def test_identical_texts_are_merged_and_every_reporter_hears_the_outcome(
    services: Services, db: Database
) -> None:
    lan = await officer(services, 1001)
    text = "Ông ở số 12 Lê Lợi đi ra ngoài suốt"
    first = await send_report(services, REPORTER, text)
    second = await send_report(services, REPORTER + 1, text.upper())
    await send_report(services, REPORTER + 1, text)  # the same person again counts once

    primary = await only_report(db, first)
    repeat = await only_report(db, second)
    assert repeat.merged_into_id == primary.id
    assert repeat.state == "merged"
    assert primary.times_reported == 2
    cards = [r for r in await outbox(db) if r.purpose == "report.card"]
    assert len([r for r in cards if wire(r).method == "sendMessage"]) == 1
    assert any(
        "2</b>" in wire(r).params["text"] for r in cards if wire(r).method == "editMessageText"
    )

    await services.reports.close(lan, primary.id, CONFIRMED)
    notices = [r for r in await outbox(db) if r.purpose == NOTICE]
    assert sorted(r.chat_id for r in notices) == [REPORTER, REPORTER + 1, REPORTER + 1]
    assert all(r.ref_id is None for r in notices)
    assert first in " ".join(wire(r).params["text"] for r in notices)
    assert (await only_report(db, first)).reply_to is None
    assert (await only_report(db, second)).reply_to is None


async def test_location_inside_a_boundary_routes_without_asking(
    services: Services, db: Database
) -> None:
    await load_boundaries(db)
    reports = services.reports
    await reports.begin(REPORTER, REPORTER)
    await reports.give_text(REPORTER, "Có người ra khỏi nhà lúc 7 giờ")
    await reports.give_photo(REPORTER, None)
    draft = await reports.give_location(REPORTER, INSIDE_HAM_RONG, 10.0)
    assert draft.step == STEP_CONFIRM
    assert draft.commune_name == "Phường Hàm Rồng"

    await reports.begin(REPORTER + 1, REPORTER + 1)
    await reports.give_text(REPORTER + 1, "Có người ra khỏi nhà lúc 7 giờ")
    await reports.give_photo(REPORTER + 1, None)
    far = await reports.give_location(REPORTER + 1, (21.0285, 105.8542), None)
    assert far.step == STEP_COMMUNE
    assert far.outside_boundaries


async def test_nearby_and_named_cases_are_shown_to_the_officer(
    services: Services, db: Database, clock: FakeClock
) -> None:
    await officer(services, 1001)
    lat, lon = INSIDE_HAC_THANH
    zone = {"type": "circle", "lat": lat + 0.0005, "lon": lon, "radius_m": 50}  # ~55 m away
    near = await make_case(db, clock.now(), zone=zone)
    named = await make_case(db, clock.now())
    far = await make_case(db, clock.now(), zone={**zone, "lat": lat + 0.01})
    released = await make_case(db, clock.now(), status="released")
    async with db.transaction() as session:
        for case_id, address in ((near, "99 Trần Phú"), (far, "7 Bà Triệu")):
            await session.execute(update(Case).where(Case.id == case_id).values(address=address))
    assert released  # same address as `named`, but no longer isolating
    reference = await send_report(services, point=INSIDE_HAC_THANH)

    report = await only_report(db, reference)
    async with db.transaction() as session:
        codes = {c.id: c.code for c in (await session.scalars(select(Case))).all()}
    assert report.matched_cases == sorted([codes[near], codes[named]])
    card = next(r for r in await outbox(db) if r.purpose == "report.card")
    assert codes[near] in wire(card).params["text"]
    assert codes[named] in wire(card).params["text"]


async def test_officers_act_only_on_their_communes_reports(
    services: Services, db: Database
) -> None:
    lan = await officer(services, 1001)
    stranger = await officer(services, 1002, "ham rong")
    boss = await officer(services, 1003, "thanh hoa")
    report_id = (await only_report(db, await send_report(services))).id

    with pytest.raises(NotAuthorised):
        await services.reports.acknowledge(stranger, report_id)
    with pytest.raises(NotAuthorised):
        await services.reports.close(REPORTER, report_id, CONFIRMED)  # the reporter is nobody
    card = await services.reports.acknowledge(lan, report_id)
    assert card.state == "acknowledged"
    assert card.handled_by == "Officer 1001"
    with pytest.raises(UserError) as taken:
        await services.reports.acknowledge(boss, report_id)
    assert taken.value.key == "report.already_taken"
    closed = await services.reports.close(boss, report_id, CONFIRMED)
    assert closed.state == "closed"
    with pytest.raises(UserError) as again:
        await services.reports.close(lan, report_id, CONFIRMED)
    assert again.value.key == "report.already_closed"
    async with db.transaction() as session:
        alert = await session.get(Alert, (await only_report(db, closed.reference)).alert_id)
    assert alert is not None
    assert alert.state == "resolved"
    assert alert.open_key is None


async def test_rerouting_hands_the_report_to_the_other_commune(
    services: Services, db: Database
) -> None:
    lan = await officer(services, 1001)
    minh = await officer(services, 1002, "ham rong")
    report_id = (await only_report(db, await send_report(services))).id

    choices = await services.reports.reroute_choices(lan, report_id, "ham rong")
    assert choices[0].code == HAM_RONG
    card = await services.reports.reroute(lan, report_id, HAM_RONG)
    assert card.commune_code == HAM_RONG
    assert card.state == "open"
    with pytest.raises(NotAuthorised):
        await services.reports.acknowledge(lan, report_id)
    rows = await outbox(db)
    assert any(r.chat_id == minh and r.purpose == "report.card" for r in rows)
    passed = [r for r in rows if r.chat_id == lan and wire(r).method == "editMessageText"]
    assert passed
    assert "Phường Hàm Rồng" in wire(passed[-1]).params["text"]
    async with db.transaction() as session:
        alerts = (await session.scalars(select(Alert).order_by(Alert.id))).all()
    assert [(a.commune_code, a.state) for a in alerts] == [
        (HAC_THANH, "resolved"),
        (HAM_RONG, "open"),
    ]


async def test_closed_reports_are_purged_after_keep_days(
    services: Services, db: Database, clock: FakeClock
) -> None:
    lan = await officer(services, 1001)
    old = await only_report(db, await send_report(services, text="Phản ánh cũ đã xử lý xong"))
    await send_report(services, REPORTER + 1, text="Phản ánh khác của người khác")
    await send_report(services, REPORTER + 2, text="Phản ánh cũ đã xử lý xong")  # merged
    await services.reports.close(lan, old.id, CONFIRMED)
    async with db.transaction() as session:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.purpose == NOTICE).values(state="sent")
        )

    clock.advance(timedelta(days=29))
    assert await services.reports.purge() == 0
    clock.advance(timedelta(days=2))
    assert await services.reports.purge() == 2
    async with db.transaction() as session:
        left = (await session.scalars(select(CitizenReport))).all()
        audit = (
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "reports.purge"))
        ).all()
        rows = (await session.scalars(select(OutboxMessage))).all()
    assert [r.text for r in left] == ["Phản ánh khác của người khác"]  # still open: kept
    assert [r.subject_id for r in audit][-1] == "2"
    assert not [r for r in rows if r.purpose == NOTICE]
    assert all(r.ref_id != old.id for r in rows if r.purpose.startswith("report."))


async def test_report_counts_for_the_digest(
    services: Services, db: Database, clock: FakeClock
) -> None:
    lan = await officer(services, 1001)
    start = clock.now()
    ids = []
    for n, user in enumerate((REPORTER, REPORTER + 1, REPORTER + 2)):
        ids.append(
            (await only_report(db, await send_report(services, user, f"Phản ánh số {n} ở xóm"))).id
        )
    await send_report(services, REPORTER + 3, "Phản ánh số 0 ở xóm")  # merged: not counted
    await services.reports.close(lan, ids[0], CONFIRMED)
    await services.reports.close(lan, ids[1], ABUSE)
    async with db.transaction() as session:
        counts = await report_counts(session, HAC_THANH, start, start + timedelta(days=1))
        elsewhere = await report_counts(session, HAM_RONG, start, start + timedelta(days=1))
    assert (counts.received, counts.handled, counts.confirmed, counts.abuse) == (3, 2, 1, 1)
    assert elsewhere.received == 0


def test_the_secret_comes_from_config_a_file_or_the_environment(tmp_path: Path) -> None:
    secret_file = tmp_path / "reports.secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    from_file = settings_from_mapping({"reports": {"secret_file": str(secret_file)}}, {})
    assert from_file.reports.secret == SECRET
    assert SECRET not in repr(from_file)
    from_env = settings_from_mapping({}, {"CACHLY_REPORTS_SECRET": SECRET})
    assert from_env.reports.enabled
    assert not settings_from_mapping({}, {}).reports.enabled
    with pytest.raises(ConfigError) as short:
        settings_from_mapping({"reports": {"secret": "too-short"}}, {})
    assert str(short.value).startswith("reports.secret: expected at least 32 characters")
    assert "too-short" not in str(short.value)
    with pytest.raises(ConfigError) as missing:
        settings_from_mapping({"reports": {"secret_file": str(tmp_path / "nope")}}, {})
    assert str(missing.value).startswith("reports.secret_file: cannot read")
