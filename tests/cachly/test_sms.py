"""A person on SMS through a day, end to end: the real SMS sender and a gateway stand-in over
HTTP, the desk's SMS callback and location page, a simulated phone (and Chromium for the
link). They enrol by reply, answer the prompt with `2`, share their location through the
link, later send `SOS`; an SMS from an unknown number changes nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser
from sqlalchemy import func, select

from bot.channels import Channel, contact_chat_id
from bot.clock import FakeClock
from bot.db import Database
from bot.messaging.message import from_json
from bot.models import Alert, ChannelContact, Checkin, LocationFix, OutboxMessage
from tests.cachly.sms_day import HOME, OFFICER, SmsDay, import_sms_case, officer, sms_day
from tests.web.browser import CHROMIUM, BrowserThread

PHONE = "+84912000001"
STRANGER = "+84987654321"
LINK = re.compile(r"https?://\S+/l/[A-Za-z0-9_-]{22}")
# 07:30 in Vietnam on the day the list is imported.
MORNING = datetime(2026, 11, 25, 0, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def chromium() -> Iterator[BrowserThread]:
    """One Chromium for the module."""
    browser = BrowserThread()
    browser.start()
    yield browser
    browser.stop()


async def _enrolled(day: SmsDay) -> tuple[int, int]:
    """The case imported, invited by SMS and consenting by reply: (case id, chat id)."""
    services = day.services
    await officer(services)
    phone = day.standin.phone(PHONE)
    case_id = await import_sms_case(services, "Trần Thị Bình", PHONE)
    invitation = await day.received(phone, 1)
    # The consent question's codes, to reply to the phone or through the short code.
    codes = r"(Tra loi 1 neu dong y, 2 neu |gui 8079: 1=dong y, 2=)khong dong y\."
    assert re.search(codes, invitation), invitation
    assert await day.reply(phone, "1") == 200
    welcome = await day.received(phone, 2)
    assert "Tran Thi Binh" in welcome
    case = await day.case(case_id)
    assert case.status == "active"
    assert case.chat_id is not None
    return case_id, case.chat_id


async def _prompted(day: SmsDay, clock: FakeClock, count: int) -> str:
    """The morning round's prompt, as the phone shows it."""
    await day.services.checkins.tick()  # plans the rounds ahead
    clock.set(MORNING + timedelta(hours=1, minutes=15))  # 08:45 local
    await day.services.checkins.tick()
    return await day.received(day.standin.phone(PHONE), count)


def _share(base: str, link: str) -> Any:
    """Chromium with the location granted at home (12 m) opens the link and shares it."""

    def work(browser: Browser) -> str:
        context = browser.new_context(
            geolocation={"latitude": HOME[0], "longitude": HOME[1], "accuracy": 12},
            permissions=["geolocation"],
        )
        try:
            page = context.new_page()
            page.goto(link)
            page.click("#send")
            page.wait_for_selector("#status[data-outcome]")
            return page.inner_text("#status")
        finally:
            context.close()

    return work


@pytest.mark.skipif(not __import__("os").path.exists(CHROMIUM), reason="no Chromium")
async def test_an_sms_person_through_a_day_on_an_android_phone(
    database_url: str, db: Database, clock: FakeClock, chromium: BrowserThread
) -> None:
    clock.set(MORNING)
    async with sms_day(database_url, db, clock, "android") as day:
        case_id, chat = await _enrolled(day)
        phone = day.standin.phone(PHONE)

        prompt = await _prompted(day, clock, 3)
        assert prompt.endswith("Tra loi 1 neu khoe, 2 neu met, 3 neu can giup ngay.")
        assert len(prompt) <= 160
        await day.reply(phone, "2")
        symptoms = await day.received(phone, 4)
        assert "8=khong co" in symptoms
        await day.reply(phone, "8")
        temperature = await day.received(phone, 5)
        assert "Nhiet do" in temperature
        await day.reply(phone, "36,8")
        where = await day.received(phone, 6)
        assert "mo link" in where
        found = LINK.search(where)
        assert found is not None, where
        said = await chromium.run(_share(day.base_url, found.group(0)))
        assert "Cảm ơn" in said
        verdict = await day.received(phone, 7)
        assert "dang o nha" in verdict

        async with db.transaction() as session:
            checkin = (
                await session.scalars(select(Checkin).where(Checkin.case_id == case_id))
            ).first()
            assert checkin is not None
            [fix] = (await session.scalars(select(LocationFix))).all()
            assert (fix.verdict, fix.accuracy_m) == ("inside", 12.0)
            answered = await session.scalar(
                select(Checkin).where(Checkin.case_id == case_id, Checkin.answered_at.is_not(None))
            )
            assert answered is not None
            assert answered.answers.get("feeling") == "tired"

        # Later that day: SOS, and the officers are told which channel the person is on.
        await day.reply(phone, "SOS")
        sos = await day.received(phone, 8)
        assert "115" in sos
        async with db.transaction() as session:
            alert = (await session.scalars(select(Alert).where(Alert.kind == "sos"))).one()
            assert alert.case_id == case_id
            cards = (
                await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == OFFICER))
            ).all()
        text = str(from_json(cards[-1].kind, cards[-1].body))
        assert "Trần Thị Bình" in text
        assert "SMS" in text

        # Every SMS row was sent and delivered, by the SMS sender.
        await day.standin.settle()
        rows = await day.rows(chat)
        assert rows
        assert {(r.bot, r.state) for r in rows} == {("sms", "sent")}
        assert all(r.receipt and r.delivered_at for r in rows)


@pytest.mark.parametrize("gateway", ["android", "brandname"])
async def test_an_unknown_number_changes_nothing(
    database_url: str, db: Database, clock: FakeClock, gateway: str
) -> None:
    clock.set(MORNING)
    async with sms_day(database_url, db, clock, gateway) as day:
        await _enrolled(day)
        async with db.transaction() as session:
            before = await session.scalar(select(func.count()).select_from(OutboxMessage))
            contacts = await session.scalar(select(func.count()).select_from(ChannelContact))
        stranger = day.standin.phone(STRANGER)
        for words in ("1", "SOS", "2"):
            assert await day.reply(stranger, words) == 200
        async with db.transaction() as session:
            assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == before
            assert (
                await session.scalar(select(func.count()).select_from(ChannelContact)) == contacts
            )
            assert (await session.scalars(select(Alert))).all() == []
        assert stranger.inbox == []


async def test_a_brandname_day_replies_by_short_code_and_without_a_smartphone(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    clock.set(MORNING)
    async with sms_day(database_url, db, clock, "brandname") as day:
        case_id, chat = await _enrolled(day)
        phone = day.standin.phone(PHONE)
        prompt = await _prompted(day, clock, 3)
        assert "Soan CL va so gui 8079: 1=khoe, 2=met, 3=can giup ngay." in prompt
        await day.reply(phone, "mot")
        await day.received(phone, 4)
        await day.reply(phone, "8")
        await day.received(phone, 5)
        await day.reply(phone, "37")
        where = await day.received(phone, 6)
        assert "1=khong gui duoc vi tri" in where, [m.text for m in phone.inbox]
        # A feature phone: no link to open; "1" says so, and the check-in has no location.
        await day.reply(phone, "1")
        await day.received(phone, 7)
        async with db.transaction() as session:
            assert (await session.scalars(select(LocationFix))).all() == []
            done = await session.scalar(
                select(Checkin).where(Checkin.case_id == case_id, Checkin.completed_at.is_not(None))
            )
            assert done is not None
        await day.standin.settle()
        assert all(r.delivered_at for r in await day.rows(chat))


async def test_an_undeliverable_number_marks_the_case_unreachable(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    clock.set(MORNING)
    async with sms_day(database_url, db, clock, "brandname") as day:
        await officer(day.services)
        # Nobody has this number: the aggregator takes the SMS, the operator cannot deliver.
        case_id = await import_sms_case(day.services, "Lê Văn Một", STRANGER)
        async with db.transaction() as session:
            contact = (await session.scalars(select(ChannelContact))).one()
        chat = contact_chat_id(Channel.SMS, contact.id)
        await day.standin.wait_for(
            lambda: any("/sms/callback" in url for url, _ in day.standin.callbacks),
            describe="delivery report",
        )
        await day.standin.settle()
        [invitation] = await day.rows(chat)
        assert invitation.state == "failed"
        assert invitation.last_error is not None
        assert invitation.last_error.startswith("not delivered")
        case = await day.case(case_id)
        assert case.unreachable_since is not None
        async with db.transaction() as session:
            alert = (await session.scalars(select(Alert))).one()
        assert (alert.kind, alert.case_id) == ("unreachable", case_id)
