"""Both gateways over real HTTP against their stand-ins: sends, refusals, reports and replies."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.messaging.sms.android import AndroidGateway
from bot.messaging.sms.brandname import BrandnameGateway
from bot.messaging.sms.gateway import (
    BadCallback,
    CallbackRequest,
    DeliveryReport,
    DeliveryStatus,
    InboundSms,
    InvalidNumber,
    RateLimited,
    Rejected,
)
from bot.messaging.sms.settings import AndroidSettings, BrandnameSettings
from standins.sms.android import AndroidStandIn
from standins.sms.brandname import BrandnameStandIn
from tests.bot.messaging.sms.catcher import Catcher, catching

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
PHONE = "+84912345678"
STRANGER = "+84987654321"
TEXT = "Chao An! Den gio khai bao suc khoe. Tra loi 1 neu khoe, 2 neu met."


@pytest.fixture
async def catcher() -> AsyncIterator[Catcher]:
    async with catching() as caught:
        yield caught


# ---- the brandname aggregator -------------------------------------------------------------


@pytest.fixture
async def esms(catcher: Catcher) -> AsyncIterator[BrandnameStandIn]:
    async with BrandnameStandIn(clock=lambda: NOW, mo_url=catcher.url("/sms/mo")) as standin:
        yield standin


def _brandname(esms: BrandnameStandIn, catcher: Catcher, **changes: object) -> BrandnameGateway:
    settings = BrandnameSettings(
        api_key="esms-key",
        secret_key="esms-secret",
        brandname="TYT-THANHHOA",
        url=esms.url,
        callback_url=catcher.url("/sms/delivery"),
        callback_token="t0ken",
        mo_cpid="cp-38",
        mo_private_key="mo-private",
    )
    return BrandnameGateway(replace(settings, **changes))  # type: ignore[arg-type]


async def test_brandname_sends_and_reports_delivery(
    esms: BrandnameStandIn, catcher: Catcher
) -> None:
    phone = esms.phone(PHONE)
    gateway = _brandname(esms, catcher)
    sent = await gateway.send(PHONE, TEXT)
    await esms.settle()
    assert phone.last == TEXT
    assert esms.sent[0].request["Phone"] == "0912345678"
    assert esms.sent[0].request["IsUnicode"] == "0"
    (report,) = [gateway.read_callback(r, NOW) for r in catcher.requests]
    assert report == DeliveryReport(sent.message_id, DeliveryStatus.DELIVERED, None, PHONE)
    await gateway.aclose()


async def test_brandname_reports_a_number_not_in_service(
    esms: BrandnameStandIn, catcher: Catcher
) -> None:
    gateway = _brandname(esms, catcher)
    sent = await gateway.send(STRANGER, TEXT)
    await esms.settle()
    (report,) = [gateway.read_callback(r, NOW) for r in catcher.requests]
    assert isinstance(report, DeliveryReport)
    assert (report.message_id, report.status) == (sent.message_id, DeliveryStatus.FAILED)
    await gateway.aclose()


async def test_brandname_refusals(esms: BrandnameStandIn, catcher: Catcher) -> None:
    esms.blocked.add(STRANGER)
    with pytest.raises(Rejected, match="code 101"):
        await _brandname(esms, catcher, secret_key="wrong").send(PHONE, TEXT)
    with pytest.raises(Rejected, match="code 104"):
        await _brandname(esms, catcher, brandname="OTHER").send(PHONE, TEXT)
    with pytest.raises(InvalidNumber, match="code 99"):
        await _brandname(esms, catcher).send(STRANGER, TEXT)
    with pytest.raises(Rejected, match="code 130"):
        await _brandname(esms, catcher).send(PHONE, "Khỏe không")  # accents: not GSM-7
    with pytest.raises(Rejected, match="code 130"):
        await _brandname(esms, catcher).send(PHONE, "a" * 400)  # over two segments
    assert esms.sent == []


async def test_brandname_rate_limit_is_a_pause(esms: BrandnameStandIn, catcher: Catcher) -> None:
    esms.rate_per_second = 1
    gateway = _brandname(esms, catcher)
    await gateway.send(PHONE, TEXT)
    with pytest.raises(RateLimited) as raised:
        await gateway.send(PHONE, TEXT)
    assert raised.value.seconds == 1.0
    await gateway.aclose()


async def test_brandname_reads_a_signed_reply_to_the_short_code(
    esms: BrandnameStandIn, catcher: Catcher
) -> None:
    gateway = _brandname(esms, catcher)
    phone = esms.phone(PHONE)
    assert await esms.reply(phone, "2") == 200
    (mo,) = catcher.requests
    inbound = gateway.read_callback(mo, NOW)
    assert inbound == InboundSms(PHONE, "2", NOW, "mo-1")
    forged = CallbackRequest("GET", {**mo.query, "content": "CL SOS"})
    with pytest.raises(BadCallback):
        gateway.read_callback(forged, NOW)
    await gateway.aclose()


async def test_brandname_refuses_a_report_without_its_token(
    esms: BrandnameStandIn, catcher: Catcher
) -> None:
    gateway = _brandname(esms, catcher)
    await gateway.send(PHONE, TEXT)
    await esms.settle()
    (report,) = catcher.requests
    query = {k: v for k, v in report.query.items() if k != "token"}
    with pytest.raises(BadCallback):
        gateway.read_callback(CallbackRequest("GET", query), NOW)
    await gateway.aclose()


# ---- the Android app ----------------------------------------------------------------------


@pytest.fixture
async def phone_app(catcher: Catcher) -> AsyncIterator[AndroidStandIn]:
    async with AndroidStandIn(clock=lambda: NOW) as standin:
        for event in ("sms:received", "sms:sent", "sms:delivered", "sms:failed"):
            standin.register_webhook(catcher.url("/sms/webhook"), event)
        yield standin


def _android(app: AndroidStandIn, **changes: object) -> AndroidGateway:
    settings = AndroidSettings(
        login="sms-user", password="sms-password", base_url=app.base_url, signing_key="webhook-key"
    )
    return AndroidGateway(replace(settings, **changes))  # type: ignore[arg-type]


async def test_android_sends_through_its_client_and_reports(
    phone_app: AndroidStandIn, catcher: Catcher
) -> None:
    phone = phone_app.phone(PHONE)
    gateway = _android(phone_app)
    sent = await gateway.send(PHONE, TEXT)
    await phone_app.settle()
    assert phone.last == TEXT
    assert phone_app.sent[0].request["withDeliveryReport"] is True
    reports = [gateway.read_callback(r, NOW) for r in catcher.requests]
    assert [(r.message_id, r.status) for r in reports if isinstance(r, DeliveryReport)] == [
        (sent.message_id, DeliveryStatus.SENT),
        (sent.message_id, DeliveryStatus.DELIVERED),
    ]
    await gateway.aclose()


async def test_android_reports_a_failed_number(phone_app: AndroidStandIn, catcher: Catcher) -> None:
    gateway = _android(phone_app)
    await gateway.send(STRANGER, TEXT)
    await phone_app.settle()
    last = gateway.read_callback(catcher.requests[-1], NOW)
    assert isinstance(last, DeliveryReport)
    assert (last.status, last.reason, last.phone) == (
        DeliveryStatus.FAILED,
        "Invalid number",
        STRANGER,
    )
    await gateway.aclose()


async def test_android_reads_a_reply_and_refuses_forgeries(
    phone_app: AndroidStandIn, catcher: Catcher
) -> None:
    gateway = _android(phone_app)
    assert await phone_app.reply(phone_app.phone(PHONE), "SOS") == 200
    (webhook,) = catcher.requests
    assert gateway.read_callback(webhook, NOW) == InboundSms(PHONE, "SOS", NOW, "in-1")
    tampered = replace(webhook, body=webhook.body.replace(b"SOS", b"1"))
    with pytest.raises(BadCallback, match="signature"):
        gateway.read_callback(tampered, NOW)
    with pytest.raises(BadCallback, match="stale"):
        gateway.read_callback(webhook, NOW + timedelta(minutes=6))
    with pytest.raises(BadCallback, match="signature"):
        _android(phone_app, signing_key="other").read_callback(webhook, NOW)
    await gateway.aclose()


async def test_android_refusals(phone_app: AndroidStandIn) -> None:
    with pytest.raises(Rejected, match="401"):
        await _android(phone_app, password="wrong").send(PHONE, TEXT)
    with pytest.raises(InvalidNumber):
        await _android(phone_app).send("0912345678", TEXT)  # not E.164
    phone_app.rate_per_second = 0
    with pytest.raises(RateLimited):
        await _android(phone_app).send(PHONE, TEXT)
