"""Two bots in one deployment, each serving its own province (issue #13, item 2): the real
Applications, each polling a stand-in of its own, on one database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from bot.areas import AreaService
from bot.clock import FakeClock
from bot.config import Settings, settings_from_mapping
from bot.db import Database
from bot.errors import UserError
from bot.models import Alert, Case, Commune, OutboxMessage, Province
from bot.services import Services
from cachly.root import SENDER_KEY, build_bots, poll_all
from standins.telegram import BotApiStandIn
from tests.conftest import empty_database
from tests.factories import HAC_THANH, make_case
from tests.harness import BotHarness, running_bots, start_code

LAI_CHAU = 12
THAN_UYEN = 3595  # Xã Than Uyên, Lai Châu
ENV = {"A_TOKEN": "1:a", "B_TOKEN": "2:b"}
NOT_AN_OFFICER = "Bạn chưa được đăng ký là cán bộ y tế."


def two_bots(url: str) -> Settings:
    """Thanh Hóa through bot a, Lai Châu through bot b; no spread, the test ticks by hand."""
    raw = {
        "deployment": {"provinces": [38, "Lai Châu"]},
        "checkins": {"spread_minutes": 0, "tick_seconds": 600},
        "bots": [
            {"key": "a", "provinces": ["Thanh Hóa"], "token_env": "A_TOKEN"},
            {"key": "b", "provinces": [LAI_CHAU], "token_env": "B_TOKEN"},
        ],
    }
    return settings_from_mapping(raw, {**ENV, "CACHLY_DATABASE_URL": url})


@pytest.fixture
async def bots(
    database_url: str, db: Database, clock: FakeClock
) -> AsyncIterator[dict[str, BotHarness]]:
    """Both bots running; Lai Châu's communes seeded for the test and removed after it."""
    async with lai_chau(db), running_bots(two_bots(database_url), db, clock) as running:
        yield running


@asynccontextmanager
async def lai_chau(db: Database) -> AsyncIterator[None]:
    """Lai Châu's communes seeded for a test and removed after it."""
    await AreaService(db, (LAI_CHAU,)).seed()
    try:
        yield
    finally:
        # The suite's database keeps Thanh Hóa only (tests count its communes).
        await empty_database(db)
        async with db.transaction() as session:
            await session.execute(delete(Commune).where(Commune.province_code == LAI_CHAU))
            await session.execute(delete(Province).where(Province.code == LAI_CHAU))


@asynccontextmanager
async def on_standins(
    settings: Settings, clock: FakeClock
) -> AsyncIterator[tuple[Settings, dict[str, BotApiStandIn]]]:
    """`settings` with each bot on a stand-in of its own (its token, a webhook secret), and
    the stand-ins by bot key."""
    async with AsyncExitStack() as stack:
        bots, standins = [], {}
        for number, bot in enumerate(settings.all_bots, start=1):
            token = f"{800000000 + number}:stand-in-{bot.key}"
            standin = await stack.enter_async_context(
                BotApiStandIn(token, bot_username=f"cachly_{bot.key}_bot", clock=clock.now)
            )
            standins[bot.key] = standin
            bots.append(
                replace(bot, token=token, base_url=standin.base_url, webhook_secret=f"s-{bot.key}")
            )
        yield replace(settings, bots=tuple(bots)), standins


def local(clock: FakeClock, hhmm: str) -> None:
    hour, minute = map(int, hhmm.split(":"))
    clock.set(datetime(2026, 11, 25, hour, minute, tzinfo=UTC) - timedelta(hours=7))


def deployment(bots: dict[str, BotHarness]) -> Services:
    """The whole deployment's services, which the ticks run on."""
    services: Services = bots["a"].application.bot_data["deployment"]
    return services


async def drained(db: Database) -> None:
    """Wait (in real time, for the senders' HTTP calls) until no row is left to send."""
    for _ in range(300):
        async with db.transaction() as session:
            waiting = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.state.in_(("pending", "sending")))
            )
        if not waiting:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox was not drained")


async def rows_by_bot(db: Database) -> dict[int, set[str]]:
    """Chat id -> the bots that wrote to it."""
    async with db.transaction() as session:
        rows = (await session.execute(select(OutboxMessage.chat_id, OutboxMessage.bot))).all()
    found: dict[int, set[str]] = {}
    for chat_id, bot in rows:
        found.setdefault(chat_id, set()).add(bot)
    return found


async def test_an_officer_is_one_only_through_their_province_bot(
    bots: dict[str, BotHarness],
) -> None:
    a, b = bots["a"], bots["b"]
    await a.officer(1001, "hac thanh")
    await b.officer(2001, str(THAN_UYEN))

    # Each is an officer through their own bot, and nobody through the other one.
    await a.user(1001).send_text("/whoami")
    assert "Phường Hạc Thành" in ((await a.user(1001).wait_for_message()).text or "")
    await b.user(1001).send_text("/whoami")
    assert (await b.user(1001).wait_for_message()).text == NOT_AN_OFFICER
    await a.user(2001).send_text("/whoami")
    assert (await a.user(2001).wait_for_message()).text == NOT_AN_OFFICER
    # The refusal is the service's, whatever the handler does.
    assert await b.services.officers.whoami(1001) is None
    assert (await a.services.officers.whoami(1001)) is not None

    # Invitations name their province's bot, and only that bot redeems them.
    issued = await a.services.officers.invite("officer", "hac thanh", a.username)
    assert issued.link.startswith(f"https://t.me/{a.username}?start=")
    stranger = b.user(3001)
    await stranger.send_text(f"/start {start_code(issued.link)}")
    assert "không dùng được" in ((await stranger.wait_for_message()).text or "")
    # A bot cannot even invite for another bot's province.
    with pytest.raises(UserError):
        await b.services.officers.invite("officer", "hac thanh", b.username)

    # A citizen of either bot finds only its own province's communes (reports, search).
    assert await b.services.areas.find_communes("hac thanh") == []
    assert [c.code for c in await a.services.areas.find_communes("hac thanh")] == [HAC_THANH]
    assert [c.code for c in await b.services.areas.find_communes("than uyen")] == [THAN_UYEN]

    # Each bot set its own menus.
    assert a.standin.commands()
    assert b.standin.commands()


async def test_prompts_and_alerts_go_through_the_bot_of_the_province(
    bots: dict[str, BotHarness], db: Database, clock: FakeClock
) -> None:
    a, b = bots["a"], bots["b"]
    officer_a = await a.officer(1001, "hac thanh")
    officer_b = await b.officer(2001, str(THAN_UYEN))
    boss_a = await a.officer(1501, "Thanh Hóa", role="supervisor")
    boss_b = await b.officer(2501, "Lai Châu", role="supervisor")
    local(clock, "07:00")
    await make_case(db, clock.now(), chat_id=5001, full_name="Bà Hoa", commune_code=HAC_THANH)
    await make_case(
        db,
        clock.now(),
        chat_id=5002,
        full_name="Ông Tư",
        commune_code=THAN_UYEN,
        province_code=LAI_CHAU,
    )

    # One tick for the whole deployment; each prompt goes out through its province's bot.
    hoa, tu = a.user(5001), b.user(5002)
    local(clock, "08:00")
    await deployment(bots).checkins.tick()
    assert "khai báo sức khoẻ" in ((await hoa.wait_for_message()).text or "")
    assert "khai báo sức khoẻ" in ((await tu.wait_for_message()).text or "")

    # A person of Lai Châu is nobody through Thanh Hóa's bot: no SOS raised there.
    await a.user(5002).send_text("/sos")
    assert "chưa được đăng ký" in ((await a.user(5002).wait_for_message()).text or "")
    await hoa.send_text("/sos")
    assert "115" in ((await hoa.wait_for_message(lambda m: "115" in (m.text or ""))).text or "")
    card = await officer_a.wait_for_message(lambda m: "SOS" in (m.text or ""))
    assert "Bà Hoa" in (card.text or "")
    # Nobody takes it: the deployment's tick escalates it to Thanh Hóa's supervisor, by a.
    clock.advance(timedelta(minutes=5))
    assert await deployment(bots).alerts.tick() == 1
    escalated = await boss_a.wait_for_message(lambda m: "Bà Hoa" in (m.text or ""))
    assert "Chuyển lên tuyến tỉnh" in (escalated.text or "")
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Alert)) == 1
    await drained(db)

    # Nothing of Thanh Hóa ever came from Lai Châu's bot, nor the other way round.
    assert b.standin.messages(5001) == []
    assert b.standin.messages(1001) == []
    # (Thanh Hóa's bot only told Ông Tư that it does not know him.)
    assert all("chưa được đăng ký" in (m.text or "") for m in a.standin.messages(5002))
    assert a.standin.messages(2001) == []
    assert not any("Bà Hoa" in (m.text or "") for m in officer_b.messages + boss_b.messages)
    assert b.standin.messages(1501) == []
    routed = await rows_by_bot(db)
    assert routed[5001] == {"a"}
    assert routed[1001] == {"a"}
    assert routed[1501] == {"a"}  # the escalation
    assert routed[5002] == {"b"}

    # Each bot's sender sent its own rows only, on its own token and budget.
    sender_a, sender_b = (bot.application.bot_data[SENDER_KEY] for bot in (a, b))
    assert (sender_a.bot, sender_b.bot) == ("a", "b")
    async with db.transaction() as session:
        sent = dict(
            (
                await session.execute(
                    select(OutboxMessage.bot, func.count())
                    .where(OutboxMessage.state == "sent")
                    .group_by(OutboxMessage.bot)
                )
            ).all()
        )
    assert (sender_a.stats.sent, sender_b.stats.sent) == (sent["a"], sent["b"])


async def test_an_enrolment_link_opens_only_through_its_province_bot(
    bots: dict[str, BotHarness], db: Database, clock: FakeClock
) -> None:
    a, b = bots["a"], bots["b"]
    await b.officer(2001, str(THAN_UYEN))
    local(clock, "07:00")
    case_id = await make_case(
        db, clock.now(), status="pending", commune_code=THAN_UYEN, province_code=LAI_CHAU
    )
    async with db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        code = case.code
    link = await b.services.cases.new_link(2001, code, b.username)
    assert link.link.startswith(f"https://t.me/{b.username}?start=")

    # Through the other bot the link is no link; through its own it asks for consent.
    await a.user(6001).send_text(f"/start {start_code(link.link)}")
    assert "không dùng được" in ((await a.user(6001).wait_for_message()).text or "")
    await b.user(6001).send_text(f"/start {start_code(link.link)}")
    consent = await b.user(6001).wait_for_message()
    assert consent.reply_markup is not None


async def test_one_process_long_polls_every_bot(
    database_url: str, db: Database, clock: FakeClock
) -> None:
    async with lai_chau(db), on_standins(two_bots(database_url), clock) as (settings, standins):
        stopping = asyncio.Event()
        polling = asyncio.create_task(
            poll_all(build_bots(settings, db, clock), stopping, poll_timeout=1)
        )
        for standin in standins.values():
            user = standin.user(4242, first_name="Khách")
            await user.send_text("/whoami")
            assert (await user.wait_for_message()).text == NOT_AN_OFFICER
        stopping.set()
        await polling
        assert all(not standin.polling for standin in standins.values())
