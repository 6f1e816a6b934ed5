"""The SMS transport on the real contact book: codes kept, gateway errors as the sender's."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from bot.channels import Channel, contact_chat_id
from bot.checkins import display
from bot.db import Database
from bot.messaging.contacts import ContactBook, contact_at
from bot.messaging.message import Text, to_json
from bot.messaging.sms.brandname import BrandnameGateway
from bot.messaging.sms.settings import BrandnameSettings
from bot.messaging.sms.text import render_stored
from bot.messaging.sms.transport import SmsOptions, SmsTransport
from bot.messaging.transport import ApiCall, Forbidden, PermanentError, RetryAfter
from standins.sms.brandname import BrandnameStandIn

NOW = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)
PHONE = "+84912000001"


@pytest.fixture
async def esms() -> AsyncIterator[BrandnameStandIn]:
    async with BrandnameStandIn(clock=lambda: NOW) as standin:
        yield standin


async def _contact(db: Database, phone: str = PHONE) -> int:
    async with db.transaction() as session:
        contact = await contact_at(session, Channel.SMS, phone, NOW, phone=phone)
        await session.flush()
        return contact.id


def _transport(db: Database, esms: BrandnameStandIn, **changes: str) -> SmsTransport:
    settings = BrandnameSettings(
        api_key=esms.api_key,
        secret_key=changes.get("secret_key", esms.secret_key),
        brandname="TYT-THANHHOA",
        url=esms.url,
    )
    return SmsTransport(BrandnameGateway(settings), ContactBook(db), options=SmsOptions(2))


def _call(contact_id: int, content: Text) -> ApiCall:
    kind, body = to_json(content)
    return render_stored(kind, body, contact_chat_id(Channel.SMS, contact_id))


async def test_a_prompt_goes_out_with_its_codes_kept(db: Database, esms: BrandnameStandIn) -> None:
    contact_id = await _contact(db)
    phone = esms.phone(PHONE)
    call = _call(contact_id, display.prompt("vi", "checkin", "Bình", 9, 20))
    transport = _transport(db, esms)
    result = await transport.call(call.method, call.params)
    assert result == {"receipt": esms.sent[0].sms_id, "segments": 1}
    assert phone.last.endswith("Tra loi 1 neu khoe, 2 neu met, 3 neu can giup ngay.")
    info = await ContactBook(db).get(contact_id)
    assert info is not None
    assert info.reply_codes["2"] == "ci:9:f:tired"
    # A notice keeps them; the end of the questionnaire clears them.
    notice = _call(contact_id, Text("Thông báo"))
    await transport.call(notice.method, notice.params)
    info = await ContactBook(db).get(contact_id)
    assert info is not None
    assert info.reply_codes["2"] == "ci:9:f:tired"
    done = _call(contact_id, display.ended("vi", "checkin.thanks", name="Bình"))
    await transport.call(done.method, done.params)
    info = await ContactBook(db).get(contact_id)
    assert info is not None
    assert info.reply_codes == {}
    await transport.shutdown()


async def test_a_blocked_number_is_forbidden_and_keeps_the_old_codes(
    db: Database, esms: BrandnameStandIn
) -> None:
    contact_id = await _contact(db)
    await ContactBook(db).set_reply_codes(contact_id, {"1": "old"})
    esms.blocked.add(PHONE)
    call = _call(contact_id, display.prompt("vi", "checkin", "Bình", 9, 20))
    transport = _transport(db, esms)
    with pytest.raises(Forbidden):
        await transport.call(call.method, call.params)
    info = await ContactBook(db).get(contact_id)
    assert info is not None
    assert info.reply_codes == {"1": "old"}
    await transport.shutdown()


async def test_refusals_and_rate_limits_are_the_senders_errors(
    db: Database, esms: BrandnameStandIn
) -> None:
    contact_id = await _contact(db)
    call = _call(contact_id, Text("Xin chào"))
    with pytest.raises(PermanentError, match="code 101"):
        await _transport(db, esms, secret_key="wrong").call(call.method, call.params)
    esms.rate_per_second = 0
    with pytest.raises(RetryAfter):
        await _transport(db, esms).call(call.method, call.params)
    with pytest.raises(PermanentError, match="no such contact"):
        await _transport(db, esms).call(*_pair(_call(contact_id + 1, Text("x"))))
    # An edit sends nothing at all.
    kind, body = to_json(Text("x"))
    edit = render_stored(kind, body, contact_chat_id(Channel.SMS, contact_id), edit_message_id=3)
    assert await _transport(db, esms).call(edit.method, edit.params) == {}


def _pair(call: ApiCall) -> tuple[str, dict[str, object]]:
    return call.method, call.params
