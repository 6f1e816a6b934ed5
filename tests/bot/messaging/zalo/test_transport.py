"""The Zalo transport against the stand-in: the free window, its count, the ZNS fallback."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import FakeClock
from bot.messaging.message import Choice, Text, one_per_row, to_json
from bot.messaging.transport import (
    Forbidden,
    OutsideWindow,
    PermanentError,
    RetryAfter,
    TransientError,
    UnknownOutcome,
)
from bot.messaging.zalo.client import ZaloClient
from bot.messaging.zalo.render import render_stored
from bot.messaging.zalo.tokens import TokenKeeper
from bot.messaging.zalo.transport import ZaloTransport
from standins.zalo import Fault, Limits, ZaloStandIn, ZaloUser
from tests.bot.messaging.zalo.conftest import PROMPT, TZ, Contact, Contacts

CONTACT_ID = 5
CHAT = -(2**60) - CONTACT_ID
PHONE = "+84912345678"
PROMPT_TEXT = "<b>Chào Lê Thị Hoa</b>, đến giờ khai báo sức khoẻ buổi sáng. Bạn thấy thế nào?"


def _prompt() -> Text:
    return Text(
        PROMPT_TEXT, one_per_row([Choice("😊 Khoẻ", "ci:9:f:ok"), Choice("🤒 Mệt", "ci:9:f:bad")])
    )


async def _send(
    transport: ZaloTransport, content: Text, purpose: str = "checkin_prompt", *, edit: bool = False
) -> dict[str, object]:
    kind, body = to_json(content)
    call = render_stored(kind, body, CHAT, purpose=purpose, edit_message_id=1 if edit else None)
    return await transport.call(call.method, call.params)


@pytest.fixture
async def person(zalo: ZaloStandIn, contacts: Contacts, clock: FakeClock) -> ZaloUser:
    """A follower who just wrote to the OA (the window is open), known as contact 5."""
    user = zalo.user("8100000000000000005", phone=PHONE)
    user.person.following = True
    user.person.last_interaction = clock.now()
    contacts.add(Contact(CONTACT_ID, user.user_id, PHONE, last_inbound_at=clock.now()))
    return user


async def test_in_the_window_a_free_message_with_its_buttons(
    transport: ZaloTransport, person: ZaloUser, contacts: Contacts
) -> None:
    sent = await _send(transport, _prompt())
    assert sent["via"] == "cs"
    message = person.last_message
    assert message is not None
    assert message.via == "cs"
    assert message.text.startswith("Chào Lê Thị Hoa, đến giờ")
    assert message.button("😊 Khoẻ")["payload"] == "#a:ci:9:f:ok"
    assert contacts.sent == [(CONTACT_ID, True)]
    assert contacts.by_id[CONTACT_ID].window_sent == 1
    assert transport.stats.cs_sent == 1
    assert transport.stats.zns_sent == 0


async def test_the_ninth_message_goes_as_a_template_priced_and_counted(
    transport: ZaloTransport, person: ZaloUser, contacts: Contacts, zalo: ZaloStandIn
) -> None:
    for _ in range(8):
        await _send(transport, Text("Cảm ơn"), "case_notice")
    assert person.person.window_count == 8
    # Without a template for a notice, Zalo cannot carry it: the caller tries SMS.
    with pytest.raises(OutsideWindow):
        await _send(transport, Text("Cảm ơn"), "case_notice")
    sent = await _send(transport, _prompt())
    assert sent["via"] == "zns"
    message = person.last_message
    assert message is not None
    assert message.via == "zns"
    assert message.template_id == "tpl-prompt"
    assert message.template_data["time"] == "08:00"  # 01:00 UTC in Thanh Hoá
    assert message.template_data["date"] == "25/11/2026"
    assert message.template_data["message"].startswith("Chào Lê Thị Hoa, đến giờ khai báo")
    assert len(message.template_data["message"]) <= 120
    assert message.tracking_id == sent["tracking_id"]
    assert (transport.stats.zns_sent, transport.stats.zns_cost_vnd) == (1, 300)
    assert (zalo.zns_sent, zalo.zns_cost_vnd) == (1, 300)
    assert transport.stats.outside_window == 1
    assert contacts.sent[-1] == (CONTACT_ID, False)


async def test_after_48_hours_the_window_is_closed_and_writing_opens_it_again(
    transport: ZaloTransport, person: ZaloUser, contacts: Contacts, clock: FakeClock
) -> None:
    clock.advance(timedelta(hours=48))
    assert (await _send(transport, _prompt()))["via"] == "zns"
    # The person writes back: the window and its count start again.
    person.person.last_interaction = clock.now()
    contacts.wrote(CONTACT_ID, clock.now())
    assert (await _send(transport, _prompt()))["via"] == "cs"


async def test_out_of_the_window_without_a_phone_or_a_zalo_account_it_is_outside(
    transport: ZaloTransport, zalo: ZaloStandIn, contacts: Contacts, clock: FakeClock
) -> None:
    contacts.add(Contact(CONTACT_ID, "8100000000000000005", None))
    with pytest.raises(OutsideWindow):
        await _send(transport, _prompt())
    contacts.add(Contact(CONTACT_ID, "8100000000000000005", "+84987000111"))  # no Zalo
    with pytest.raises(OutsideWindow, match="no Zalo account"):
        await _send(transport, _prompt())
    assert issubclass(OutsideWindow, Forbidden)
    assert transport.stats.outside_window == 2


async def test_when_zalo_says_the_window_is_closed_the_template_goes_instead(
    transport: ZaloTransport, person: ZaloUser, contacts: Contacts, zalo: ZaloStandIn
) -> None:
    # Our count says open; Zalo knows better (the person unfollowed, say).
    person.person.following = False
    sent = await _send(transport, _prompt())
    assert sent["via"] == "zns"
    assert [c.code for c in zalo.calls if c.path != "/v4/oa/access_token"] == [-213, 0]


async def test_a_question_with_many_choices_takes_as_many_messages(
    transport: ZaloTransport, person: ZaloUser, contacts: Contacts
) -> None:
    choices = one_per_row([Choice(f"Triệu chứng {i}", f"ci:9:s:{i}") for i in range(9)])
    sent = await _send(transport, Text("Triệu chứng nào?", choices))
    assert len(list(sent["zalo_message_ids"])) == 2  # type: ignore[call-overload]
    assert [len(m.buttons) for m in person.received] == [5, 4]
    assert contacts.by_id[CONTACT_ID].window_sent == 2
    # Seven used: a two-part question no longer fits the window; one part still does.
    for _ in range(5):
        await _send(transport, Text("Cảm ơn"), "case_notice")
    with pytest.raises(OutsideWindow):
        await _send(transport, Text("Triệu chứng nào?", choices), "checkin_question")
    await _send(transport, Text("Cảm ơn"), "case_notice")


async def test_an_edit_without_new_choices_is_dropped(
    transport: ZaloTransport, person: ZaloUser
) -> None:
    assert await _send(transport, Text("Đã ghi nhận"), edit=True) == {}
    assert person.received == []
    assert transport.stats.edits_dropped == 1


async def test_a_revoked_access_token_is_replaced_and_the_call_made_again(
    transport: ZaloTransport, person: ZaloUser, zalo: ZaloStandIn
) -> None:
    await _send(transport, Text("một"), "case_notice")
    zalo.tokens.revoke_access_tokens()
    assert (await _send(transport, Text("hai"), "case_notice"))["via"] == "cs"
    assert [m.text for m in person.received] == ["một", "hai"]
    assert zalo.tokens.refreshes == 2


async def test_an_expired_token_is_renewed_before_the_call(
    transport: ZaloTransport,
    person: ZaloUser,
    contacts: Contacts,
    zalo: ZaloStandIn,
    clock: FakeClock,
) -> None:
    await _send(transport, Text("một"), "case_notice")
    clock.advance(timedelta(hours=25))
    person.person.last_interaction = clock.now()
    contacts.wrote(CONTACT_ID, clock.now())
    await _send(transport, Text("hai"), "case_notice")
    assert [c.code for c in zalo.calls] == [0, 0, 0, 0]  # refresh, send, refresh, send


async def test_zalos_errors_become_the_senders(
    transport: ZaloTransport, person: ZaloUser, zalo: ZaloStandIn
) -> None:
    zalo.inject(Fault("error", code=-32))
    with pytest.raises(RetryAfter) as flood:
        await _send(transport, Text("x"), "case_notice")
    assert flood.value.seconds == 2.0
    zalo.inject(Fault("bad_gateway"))
    with pytest.raises(TransientError) as gateway:
        await _send(transport, Text("x"), "case_notice")
    assert not isinstance(gateway.value, UnknownOutcome)
    zalo.inject(Fault("cut"))
    with pytest.raises(UnknownOutcome):
        await _send(transport, Text("x"), "case_notice")
    zalo.inject(Fault("error", code=-201))
    with pytest.raises(PermanentError):
        await _send(transport, Text("x"), "case_notice")


async def test_the_rate_limit_of_the_stand_in_is_a_flood_wait(
    zalo: ZaloStandIn, transport: ZaloTransport, person: ZaloUser
) -> None:
    zalo.limits = Limits(per_second=3)
    for _ in range(3):
        await _send(transport, Text("x"), "case_notice")
    with pytest.raises(RetryAfter):
        await _send(transport, Text("x"), "case_notice")


async def test_a_question_cut_after_its_first_part_has_an_unknown_fate(
    transport: ZaloTransport, person: ZaloUser, zalo: ZaloStandIn
) -> None:
    await _send(transport, Text("x"), "case_notice")  # the token is fetched
    choices = one_per_row([Choice(f"Triệu chứng {i}", f"ci:9:s:{i}") for i in range(9)])
    zalo.inject(Fault("pass"), Fault("bad_gateway"))
    with pytest.raises(UnknownOutcome, match="part 2 of 2"):
        await _send(transport, Text("Triệu chứng nào?", choices))
    assert len(person.received) == 2


async def test_an_unknown_contact_or_call_is_refused(transport: ZaloTransport) -> None:
    with pytest.raises(PermanentError, match="no such Zalo contact"):
        await _send(transport, Text("x"))
    with pytest.raises(PermanentError, match="not a Zalo call"):
        await transport.call("sendMessage", {})


class BrokenBook(Contacts):
    """A contact book whose counting fails (the database went away mid-send)."""

    async def note_sent(self, contact_id: int, *, in_window: bool) -> None:
        raise ConnectionError("database gone")


class Ledger:
    """Template messages recorded, or a failure to record them."""

    def __init__(self, *, broken: bool = False) -> None:
        self.kept: list[dict[str, object]] = []
        self.broken = broken

    async def record(self, **row: object) -> None:
        if self.broken:
            raise ConnectionError("database gone")
        self.kept.append(row)


async def test_a_message_sent_is_never_failed_by_what_comes_after_it(
    client: ZaloClient, keeper: TokenKeeper, clock: FakeClock, zalo: ZaloStandIn
) -> None:
    user = zalo.user("8100000000000000005", phone=PHONE)
    user.person.following, user.person.last_interaction = True, clock.now()
    book = BrokenBook()
    book.add(Contact(CONTACT_ID, user.user_id, PHONE, last_inbound_at=clock.now()))
    ledger = Ledger(broken=True)
    transport = ZaloTransport(
        client, keeper, book, clock=clock, templates={PROMPT.purpose: PROMPT}, tz=TZ, ledger=ledger
    )
    # The counting fails after Zalo took it: the row is sent, not tried again.
    assert (await _send(transport, Text("x"), "case_notice"))["via"] == "cs"
    clock.advance(timedelta(hours=49))
    assert (await _send(transport, _prompt()))["via"] == "zns"
    assert transport.stats.zns_sent == 1


async def test_each_template_message_is_recorded_with_its_price(
    client: ZaloClient, keeper: TokenKeeper, clock: FakeClock, zalo: ZaloStandIn, contacts: Contacts
) -> None:
    zalo.user("8100000000000000005", phone=PHONE)
    contacts.add(Contact(CONTACT_ID, "8100000000000000005", PHONE))
    ledger = Ledger()
    transport = ZaloTransport(
        client,
        keeper,
        contacts,
        clock=clock,
        templates={PROMPT.purpose: PROMPT},
        tz=TZ,
        ledger=ledger,
    )
    sent = await _send(transport, _prompt())
    assert ledger.kept == [
        {
            "contact_id": CONTACT_ID,
            "purpose": "checkin_prompt",
            "template_id": "tpl-prompt",
            "price_vnd": 300,
            "tracking_id": sent["tracking_id"],
            "at": clock.now(),
        }
    ]
