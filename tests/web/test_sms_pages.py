"""The SMS endpoints of the desk: the location page's one-time link, its CSRF and Origin
checks, "no location", and a forged gateway callback."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.cases.card import case_card
from bot.cases.views import case_view
from bot.channels import Channel, contact_chat_id
from bot.clock import FakeClock
from bot.config import Settings
from bot.db import Database
from bot.messaging.contacts import contact_at
from bot.messaging.sms.links import LocationLinks
from bot.models import Alert, Case, Checkin, LocationLink
from bot.services import Services
from tests.conftest import make_settings
from tests.factories import make_case
from web.app import create_app

PHONE = "+84912000001"
HOME = {"type": "circle", "lat": 19.8067, "lon": 105.7852, "radius_m": 50}
BASE = "http://desk"
SECRET = "k" * 40


@pytest.fixture
def sms_settings(database_url: str) -> Settings:
    return make_settings(
        database_url,
        web={"base_url": BASE, "secret": SECRET},
        sms={
            "gateway": "android",
            "android": {"password": "pw", "signing_key": "webhook-key", "login": "u"},
        },
    )


@pytest.fixture
def sms_services(sms_settings: Settings, db: Database, clock: FakeClock) -> Services:
    return Services(sms_settings, db, clock)


@pytest.fixture
async def client(sms_services: Services) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(sms_services, secret=SECRET))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


async def _asked_where(services: Services, clock: FakeClock) -> tuple[int, str]:
    """An SMS person at the location question of a check-in: (case id, the link's path)."""
    async with services.db.transaction() as session:
        contact = await contact_at(session, Channel.SMS, PHONE, clock.now(), phone=PHONE)
        await session.flush()
        contact_id = contact.id
    chat = contact_chat_id(Channel.SMS, contact_id)
    case_id = await make_case(services.db, clock.now(), chat_id=chat, channel="sms", zone=HOME)
    await services.inbound.checkin(Channel.SMS, PHONE)
    async with services.db.transaction() as session:
        checkin = (await session.scalars(select(Checkin))).one()
        checkin.step = "location"
    links = LocationLinks(services.db, clock, BASE, 120)
    link = await links.link_for(contact_id)
    assert link is not None
    assert re.fullmatch(r"http://desk/l/[A-Za-z0-9_-]{22}", link)
    return case_id, link.removeprefix(BASE)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page)
    assert found is not None
    return found.group(1)


async def test_the_link_is_stored_hashed_and_used_once(
    sms_services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    _, path = await _asked_where(sms_services, clock)
    async with sms_services.db.transaction() as session:
        [stored] = (await session.scalars(select(LocationLink))).all()
        assert path.rsplit("/", 1)[1] not in stored.token_hash
    page = await client.get(path)
    assert page.status_code == 200
    assert 'id="send"' in page.text
    form = {"csrf": _csrf(page.text), "outcome": "denied"}
    json = {"Accept": "application/json"}
    answered = await client.post(path, data=form, headers=json)
    assert answered.json()["outcome"] == "noted"
    again = await client.post(path, data=form, headers=json)
    assert (again.status_code, again.json()["outcome"]) == (410, "gone")
    assert (await client.get(path)).status_code == 410


async def test_no_location_is_recorded_as_such(
    sms_services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    case_id, path = await _asked_where(sms_services, clock)
    page = await client.get(path)
    await client.post(path, data={"csrf": _csrf(page.text), "outcome": "denied"})
    async with sms_services.db.transaction() as session:
        checkin = (await session.scalars(select(Checkin).where(Checkin.case_id == case_id))).one()
        assert checkin.completed_at is not None
        assert checkin.answers["location"] == "skipped"


async def test_a_post_without_the_pages_token_or_from_elsewhere_is_refused(
    sms_services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    _, path = await _asked_where(sms_services, clock)
    page = await client.get(path)
    fields = {"outcome": "located", "lat": "19.8067", "lon": "105.7852", "accuracy": "10"}
    assert (await client.post(path, data={**fields, "csrf": "0" * 64})).status_code == 403
    elsewhere = {"Origin": "https://evil.example"}
    refused = await client.post(path, data={**fields, "csrf": _csrf(page.text)}, headers=elsewhere)
    assert refused.status_code == 403
    # Neither spent the link.
    located = await client.post(path, data={**fields, "csrf": _csrf(page.text)})
    assert located.status_code == 200


async def test_a_link_dies_with_the_window(
    sms_services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    _, path = await _asked_where(sms_services, clock)
    clock.advance(timedelta(hours=3))
    assert (await client.get(path)).status_code == 410
    assert (await client.get("/l/" + "A" * 22)).status_code == 410


async def test_a_forged_gateway_callback_changes_nothing(
    sms_services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    await _asked_where(sms_services, clock)
    body = (
        b'{"event":"sms:received","payload":{"messageId":"x","message":"SOS",'
        b'"phoneNumber":"+84912000001","receivedAt":"2026-11-25T08:00:00+07:00"}}'
    )
    stamp = str(int(clock.now().timestamp()))
    headers = {"X-Signature": "0" * 64, "X-Timestamp": stamp, "Content-Type": "application/json"}
    answer = await client.post("/sms/callback", content=body, headers=headers)
    assert answer.status_code == 403
    async with sms_services.db.transaction() as session:
        assert (await session.scalars(select(Alert))).all() == []


async def test_officers_see_that_an_sms_case_without_a_location_cannot_be_geofenced(
    sms_services: Services, clock: FakeClock
) -> None:
    case_id, _ = await _asked_where(sms_services, clock)
    async with sms_services.db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        view = await case_view(session, case, clock.now().date(), clock.now(), 72)
    card = case_card("vi", view, sms_services.settings.schedule.tz)
    assert "chưa kiểm tra được" in card.text
