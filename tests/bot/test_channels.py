"""Channels (issue #17): a case's channel from the list, contacts' chat ids, and a person on
Zalo or SMS going through the same services as on Telegram, answered through the outbox."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.actions import Action
from bot.channels import Channel, chat_channel, contact_chat_id, contact_id_of, parse_channel
from bot.clock import FakeClock
from bot.digest import area_digest, render_digest
from bot.messaging.fallback import hand_on_to_sms
from bot.messaging.message import Choice, Text, from_json
from bot.messaging.outbox import PRIORITY_PROMPT, enqueue
from bot.models import Alert, Case, ChannelContact, Checkin, OutboxMessage
from bot.services import Services
from tests.factories import HAC_THANH, make_case

BOT = "cachly_test_bot"
OFFICER = 1001
HEADER = "Họ và tên,Số điện thoại,Loại,Kênh\n"
SMS_PHONE = "+84912000001"
HOME = {"lat": 19.8067, "lon": 105.7852}


async def officer(services: Services, user_id: int = OFFICER) -> None:
    issued = await services.officers.invite("officer", "hac thanh", BOT)
    await services.officers.redeem(issued.link.split("start=")[1], user_id, "Cán bộ Hà")


async def rows_to(services: Services, chat_id: int) -> list[OutboxMessage]:
    async with services.db.transaction() as session:
        found = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(found)


def said(row: OutboxMessage) -> Text:
    content = from_json(row.kind, row.body)
    assert isinstance(content, Text)
    return content


def actions(text: Text) -> list[str]:
    return [b.action for line in text.buttons for b in line if isinstance(b, Choice)]


def test_a_contacts_chat_id_is_never_a_telegram_one() -> None:
    for channel in (Channel.ZALO, Channel.SMS):
        for contact_id in (1, 2, 10**9, 2**58):
            chat = contact_chat_id(channel, contact_id)
            assert chat_channel(chat) is channel
            assert contact_id_of(chat) == contact_id
    # Bot API ids have at most 52 significant bits; supergroups are -100… .
    for telegram_chat in (1, 2**52, -(2**52), -1001234567890, 0):
        assert chat_channel(telegram_chat) is Channel.TELEGRAM
        assert contact_id_of(telegram_chat) is None


def test_the_channel_column_accepts_the_words_officers_write() -> None:
    assert parse_channel("Zalo") is Channel.ZALO
    assert parse_channel(" sms ") is Channel.SMS
    assert parse_channel("Tin nhắn") is Channel.SMS
    assert parse_channel("TELEGRAM") is Channel.TELEGRAM
    assert parse_channel("viber") is None


async def test_an_imported_list_sets_each_persons_channel(services: Services) -> None:
    await officer(services)
    content = (
        HEADER
        + "Lê Văn Một,0912000011,F1,Zalo\n"
        + "Lê Văn Hai,0912000012,F1,SMS\n"
        + "Lê Văn Ba,0912000013,F1,\n"
    )
    outcome = await services.cases.import_file(
        "ds.csv", content.encode(), bot_username=BOT, telegram_user_id=OFFICER
    )
    assert len(outcome.created) == 3
    async with services.db.transaction() as session:
        channels = dict((await session.execute(select(Case.full_name, Case.channel))).all())
    assert channels == {"Lê Văn Một": "zalo", "Lê Văn Hai": "sms", "Lê Văn Ba": "telegram"}
    # The SMS person has no link to open: the officer's list says it went by SMS.
    by_name = {link.case.full_name: link for link in outcome.created}
    assert by_name["Lê Văn Hai"].link == ""
    assert by_name["Lê Văn Ba"].link.startswith("https://t.me/")


async def test_a_bad_channel_is_refused_with_its_row(services: Services) -> None:
    await officer(services)
    outcome = await services.cases.import_file(
        "ds.csv",
        (HEADER + "Lê Văn Một,0912000011,F1,Viber\n").encode(),
        bot_username=BOT,
        telegram_user_id=OFFICER,
    )
    assert not outcome.created
    problems = [p.key for row in outcome.problems for p in row.problems]
    assert problems == ["channel.bad"]


async def sms_case(services: Services) -> tuple[int, int]:
    """An SMS case imported: (case id, the chat id of its phone's contact)."""
    await officer(services)
    content = HEADER + f"Trần Thị Bình,{SMS_PHONE},F0,SMS\n"
    outcome = await services.cases.import_file(
        "ds.csv", content.encode(), bot_username=BOT, telegram_user_id=OFFICER
    )
    case_id = outcome.created[0].case.id
    async with services.db.transaction() as session:
        contact = (
            await session.execute(select(ChannelContact).where(ChannelContact.address == SMS_PHONE))
        ).scalar_one()
    return case_id, contact_chat_id(Channel.SMS, contact.id)


async def test_an_sms_person_is_asked_by_sms_and_consents_by_reply(
    services: Services, clock: FakeClock
) -> None:
    case_id, chat = await sms_case(services)
    [invitation] = await rows_to(services, chat)
    assert invitation.bot == "sms"
    consent = actions(said(invitation))
    assert consent == [Action.CONSENT.data("y", case_id), Action.CONSENT.data("n", case_id)]

    await services.inbound.action(Channel.SMS, SMS_PHONE, consent[0])
    async with services.db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.chat_id) == ("active", chat)
    replies = (await rows_to(services, chat))[1:]
    assert all(r.bot == "sms" for r in replies)
    assert "Trần Thị Bình" in said(replies[0]).text  # welcome, named


async def test_an_sms_from_an_unknown_number_changes_nothing(services: Services) -> None:
    await sms_case(services)
    async with services.db.transaction() as session:
        before = len((await session.scalars(select(OutboxMessage))).all())
        contacts = len((await session.scalars(select(ChannelContact))).all())
    await services.inbound.text(Channel.SMS, "+84987654321", "1")
    await services.inbound.sos(Channel.SMS, "+84987654321")
    async with services.db.transaction() as session:
        assert len((await session.scalars(select(OutboxMessage))).all()) == before
        assert len((await session.scalars(select(ChannelContact))).all()) == contacts
        assert (await session.scalars(select(Alert))).all() == []


async def zalo_person(services: Services, clock: FakeClock, **columns: Any) -> tuple[int, int]:
    """An enrolled case on Zalo, at home: (case id, its contact's chat id)."""
    await services.inbound.follow(Channel.ZALO, "zalo-user-1")
    async with services.db.transaction() as session:
        contact = (await session.execute(select(ChannelContact))).scalar_one()
    chat = contact_chat_id(Channel.ZALO, contact.id)
    zone = {"type": "circle", **HOME, "radius_m": 50}
    case_id = await make_case(
        services.db, clock.now(), chat_id=chat, channel="zalo", zone=zone, **columns
    )
    return case_id, chat


async def test_a_zalo_person_checks_in_with_buttons_and_a_location(
    services: Services, clock: FakeClock
) -> None:
    await officer(services)
    case_id, chat = await zalo_person(services, clock)
    [welcome] = await rows_to(services, chat)
    assert welcome.bot == "zalo"
    assert "trạm y tế" in said(welcome).text

    user = "zalo-user-1"

    async def last() -> Text:
        return said((await rows_to(services, chat))[-1])

    await services.inbound.checkin(Channel.ZALO, user)
    feeling = actions(await last())
    assert feeling == [Action.CHECKIN.data(1, "f", f) for f in ("good", "tired", "bad")]
    await services.inbound.action(Channel.ZALO, user, feeling[0])
    symptoms = actions(await last())
    await services.inbound.action(Channel.ZALO, user, symptoms[-1])  # none of them
    assert "Nhiệt độ" in (await last()).text
    await services.inbound.text(Channel.ZALO, user, "36,8")
    location_question = await last()
    assert location_question.location_request is not None
    # Zalo has no one-tap button at the bottom of the screen: the way Zalo shares it.
    assert "Gửi vị trí hiện tại</b>" in location_question.text
    assert "dưới cùng màn hình" not in location_question.text
    await services.inbound.location(Channel.ZALO, user, HOME["lat"], HOME["lon"], 12.0)
    assert "đang ở nhà" in (await last()).text
    assert all(row.bot == "zalo" for row in await rows_to(services, chat))
    async with services.db.transaction() as session:
        [checkin] = (await session.scalars(select(Checkin))).all()
        assert checkin.case_id == case_id
        assert checkin.answered_at is not None
        assert checkin.vitals["temperature"] == 36.8


async def test_an_sos_on_zalo_alerts_the_officers_naming_the_channel(
    services: Services, clock: FakeClock
) -> None:
    await officer(services)
    case_id, chat = await zalo_person(services, clock, full_name="Phạm Văn Cường")
    await services.inbound.sos(Channel.ZALO, "zalo-user-1")
    async with services.db.transaction() as session:
        alert = (await session.execute(select(Alert))).scalar_one()
        assert (alert.kind, alert.case_id) == ("sos", case_id)
    [card] = await rows_to(services, OFFICER)
    assert card.bot != "zalo"
    text = said(card).text
    assert "Phạm Văn Cường" in text
    assert "Kênh: Zalo" in text
    assert "Phạm Văn Cường" in said((await rows_to(services, chat))[-1]).text


async def test_an_sms_from_a_zalo_persons_phone_goes_on_in_their_conversation(
    services: Services, clock: FakeClock
) -> None:
    await officer(services)
    case_id, chat = await zalo_person(services, clock, phone=SMS_PHONE)
    # Zalo could not reach them, so the prompt went by SMS; they answer it by SMS.
    await services.inbound.checkin(Channel.ZALO, "zalo-user-1")
    feeling = actions(said((await rows_to(services, chat))[-1]))
    await services.inbound.action(Channel.SMS, SMS_PHONE, feeling[0])
    async with services.db.transaction() as session:
        [checkin] = (await session.scalars(select(Checkin))).all()
        assert checkin.case_id == case_id
        assert checkin.answers["feeling"] == "good"
    # The next question goes to the case's chat (the Zalo sender falls back to SMS itself).
    assert "triệu chứng" in said((await rows_to(services, chat))[-1]).text


async def test_the_digest_says_how_many_are_reached_off_telegram(
    services: Services, clock: FakeClock
) -> None:
    await make_case(services.db, clock.now())
    await zalo_person(services, clock)
    tz = services.settings.schedule.tz
    day = clock.now().astimezone(tz).date()
    async with services.db.transaction() as session:
        digest = await area_digest(session, "Hạc Thành", [HAC_THANH], day, tz, chart=False)
    assert "Nhận tin qua: Telegram 1, Zalo 1" in render_digest("vi", digest, day)
    async with services.db.transaction() as session:
        telegram_only = await area_digest(session, "Đông Sơn", [16378], day, tz, chart=False)
    assert "Nhận tin qua" not in render_digest("vi", telegram_only, day)


async def test_an_active_case_moved_to_sms_consents_there_and_keeps_its_history(
    services: Services, clock: FakeClock
) -> None:
    await officer(services)
    case_id = await make_case(services.db, clock.now(), chat_id=5001, phone=SMS_PHONE)
    async with services.db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        code, enrolled_at = case.code, case.enrolled_at
    issued = await services.cases.change_channel(OFFICER, code, Channel.SMS, BOT)
    assert issued is not None
    assert issued.link == ""  # asked by SMS
    async with services.db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        # Until they consent by SMS, their messages still go to Telegram.
        assert (case.status, case.chat_id) == ("active", 5001)
        contact = (await session.execute(select(ChannelContact))).scalar_one()
    chat = contact_chat_id(Channel.SMS, contact.id)
    [invitation] = await rows_to(services, chat)
    await services.inbound.action(Channel.SMS, SMS_PHONE, actions(said(invitation))[0])
    async with services.db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.chat_id, case.channel) == ("active", chat, "sms")
        assert case.enrolled_at == enrolled_at
    assert await services.cases.change_channel(OFFICER, code, Channel.SMS, BOT) is None


async def test_a_prompt_zalo_cannot_carry_is_handed_on_to_the_phone_by_sms(
    services: Services, clock: FakeClock
) -> None:
    case_id, chat = await zalo_person(services, clock, phone=SMS_PHONE)
    async with services.db.transaction() as session:
        contact = (await session.execute(select(ChannelContact))).scalar_one()
        contact.phone = SMS_PHONE
        checkin = Checkin(
            case_id=case_id,
            kind="scheduled",
            nominal_at=clock.now(),
            due_at=clock.now(),
            state="queued",
            created_at=clock.now(),
        )
        session.add(checkin)
        await session.flush()
        prompt = enqueue(
            session,
            chat_id=chat,
            province=None,
            priority=PRIORITY_PROMPT,
            purpose="checkin_prompt",
            now=clock.now(),
            content=Text("🩺 Đến giờ khai báo", ((Choice("Khoẻ", "ci:1:f:good"),),)),
            ref_id=checkin.id,
        )
        await session.flush()
        checkin.prompt_outbox_id = prompt.id
        prompt_id = prompt.id
    async with services.db.transaction() as session:
        assert await hand_on_to_sms(session, prompt_id, clock.now())
    async with services.db.transaction() as session:
        sms = (
            await session.execute(select(ChannelContact).where(ChannelContact.channel == "sms"))
        ).scalar_one()
        [again] = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.chat_id == contact_chat_id(Channel.SMS, sms.id)
                )
            )
        ).all()
        assert (again.bot, again.purpose, again.ref_id) == ("sms", "checkin_prompt", checkin.id)
        assert actions(said(again)) == ["ci:1:f:good"]
        waiting = await session.get(Checkin, checkin.id)
        assert waiting is not None
        assert waiting.prompt_outbox_id == again.id
    # Without a phone there is nobody to hand it to: the caller marks them unreachable.
    async with services.db.transaction() as session:
        contact = (
            await session.execute(select(ChannelContact).where(ChannelContact.channel == "zalo"))
        ).scalar_one()
        contact.phone = None
    async with services.db.transaction() as session:
        assert not await hand_on_to_sms(session, prompt_id, clock.now())
