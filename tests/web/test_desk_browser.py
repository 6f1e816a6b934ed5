"""The web desk in a real headless Chromium: sign-in, the map, alerts both ways, 404s, the
public page; screenshots at desktop and phone sizes go to tests/artifacts/screenshots."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, Page

from bot import alerts
from bot.clock import FakeClock
from bot.db import Database
from bot.models import Alert
from bot.services import Services
from standins.telegram import BotMessage, User
from tests.conftest import make_settings
from tests.factories import HAC_THANH, make_case
from tests.harness import Harness, running_bot, start_code
from tests.web.browser import PHONE, BrowserThread, no_horizontal_scroll, screenshot, serving

QUANG_PHU = 16522
HOME = {"type": "circle", "lat": 19.805, "lon": 105.775, "radius_m": 50}
FAR_HOME = {"type": "circle", "lat": 19.825, "lon": 105.795, "radius_m": 50}
PEOPLE = [("Trần Thị Bình", "+84912000001"), ("Lê Văn Cường", "+84912000002")]


def square(lon: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture(scope="module")
def chromium() -> Iterator[BrowserThread]:
    """One Chromium for the whole module."""
    browser = BrowserThread()
    browser.start()
    yield browser
    browser.stop()


@pytest.fixture
async def bot(database_url: str, db: Database, clock: FakeClock) -> AsyncIterator[Harness]:
    settings = make_settings(database_url, outbox={"retry_base_seconds": 0.0})
    async with running_bot(settings, db, clock) as running:
        yield running


async def edited(harness: Harness, user: User, contains: str) -> BotMessage:
    """Until the user's copy of the alert shows `contains`."""
    await harness.standin.wait_for_call(
        "editMessageText",
        lambda c: c.chat_id == user.chat_id and contains in str(c.message and c.message.text),
        since=0,
    )
    return next(m for m in user.messages if contains in (m.text or ""))


async def area(services: Services, clock: FakeClock) -> dict[str, int]:
    """Two communes with boundaries, a case in each (with a home), an SOS in each."""
    await services.boundaries.load(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"ma_xa": HAC_THANH},
                    "geometry": square(105.77, 19.80),
                },
                {
                    "type": "Feature",
                    "properties": {"ma_xa": QUANG_PHU},
                    "geometry": square(105.79, 19.82),
                },
            ],
        }
    )
    ids: dict[str, int] = {}
    for (name, phone), commune, zone, key in (
        (PEOPLE[0], HAC_THANH, HOME, "here"),
        (PEOPLE[1], QUANG_PHU, FAR_HOME, "there"),
    ):
        case_id = await make_case(
            services.db, clock.now(), full_name=name, phone=phone, commune_code=commune, zone=zone
        )
        async with services.db.transaction() as session:
            raised = await alerts.raise_alert(
                services.alerts.config,
                session,
                kind=alerts.SOS,
                commune_code=commune,
                now=clock.now(),
                evidence={},
                case_id=case_id,
            )
        ids[key], ids[f"{key}_alert"] = case_id, raised.id
    return ids


async def sign_in_path(services: Services, telegram_user_id: int) -> str:
    """The path of a fresh sign-in link (the desk is served on another port than configured)."""
    return urlparse((await services.signins.issue(telegram_user_id)).url).path


def open_map(page: Page, url: str, path: str) -> dict[str, Any]:
    page.goto(url + path)
    page.wait_for_selector("#map[data-ready='1']")
    return {
        "url": page.url,
        "shapes": page.locator("path.commune").count(),
        "alerts": page.locator("path.alert-pin").count(),
        "homes": page.locator("path.home-pin").count(),
    }


async def test_sign_in_by_link_once_and_map_for_a_supervisor(
    services: Services, clock: FakeClock, chromium: BrowserThread
) -> None:
    await area(services, clock)
    issued = await services.officers.invite("supervisor", "Thanh Hóa", "cachly_bot")
    await services.officers.redeem(start_code(issued.link), 2001, "Minh")
    async with serving(services) as url:
        path = await sign_in_path(services, 2001)

        def supervisor(page: Page) -> dict[str, Any]:
            found = open_map(page, url, path)
            screenshot(page, "map-desktop")
            page.check("input[value='missed']")
            found["legend"] = page.locator("#legend li").first.get_attribute("data-by")
            found["counts"] = page.locator("#counts tbody tr").count()
            # A corner of the shape: its centre holds an alert pin, which opens the alerts.
            page.locator("path.commune").first.click(position={"x": 6, "y": 6})
            page.wait_for_url(re.compile(r".*/ca\?xa=\d+$"))
            found["commune_cases"] = page.locator("#cases tbody tr").count()
            again = page.goto(url + path)  # the same link a second time
            found["reused"] = again.status if again else 0
            return found

        seen = await chromium.page(supervisor)
        assert seen["url"].endswith("/ban-do")
        assert (seen["shapes"], seen["alerts"], seen["homes"]) == (2, 2, 0)
        assert seen["legend"] == "missed"
        assert seen["counts"] == 2
        assert seen["commune_cases"] == 1  # a commune opened from the map: its cases
        assert seen["reused"] == 403

        expired = await sign_in_path(services, 2001)
        clock.advance(timedelta(minutes=11))

        def late(page: Page) -> tuple[int, str]:
            response = page.goto(url + expired)
            return (response.status if response else 0, page.inner_text("main"))

        status, text = await chromium.page(late)
        assert status == 403
        assert "/web" in text

        def anonymous(page: Page) -> int:
            response = page.goto(url + "/ban-do")
            return response.status if response else 0

        assert await chromium.page(anonymous) == 401


async def test_officer_map_on_a_phone_shows_own_homes_and_fits(
    services: Services, clock: FakeClock, chromium: BrowserThread
) -> None:
    await area(services, clock)
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    await services.officers.redeem(start_code(issued.link), 1001, "Lan")
    async with serving(services) as url:
        path = await sign_in_path(services, 1001)

        def officer(page: Page) -> dict[str, Any]:
            found = open_map(page, url, path)
            found["fits"] = no_horizontal_scroll(page)
            screenshot(page, "map-phone")
            page.goto(url + "/canh-bao")
            found["alerts_fit"] = no_horizontal_scroll(page)
            found["rows"] = page.locator("tr[id^='alert-']").count()
            return found

        seen = await chromium.page(officer, viewport=PHONE)
    assert (seen["shapes"], seen["alerts"], seen["homes"]) == (1, 1, 1)
    assert seen["fits"]
    assert seen["alerts_fit"]
    assert seen["rows"] == 1


async def test_take_on_the_page_edits_the_cards_and_a_take_in_telegram_shows(
    bot: Harness, chromium: BrowserThread
) -> None:
    lan, minh = await bot.officer(1001), await bot.officer(1002)
    far = await bot.officer(3001, str(QUANG_PHU))
    ids = await area(bot.services, bot.clock)
    copies = {}
    for user in (lan, minh):
        copies[user.id] = await user.wait_for_message(lambda m: "SOS" in (m.text or ""))
    async with serving(bot.services) as url:
        path = await sign_in_path(bot.services, 1001)
        far_path = await sign_in_path(bot.services, 3001)

        def take(page: Page) -> str:
            page.goto(url + path)
            page.goto(url + "/canh-bao")
            page.click(f"#alert-{ids['here_alert']} button[value='acknowledge']")
            page.wait_for_selector(f"#alert-{ids['here_alert']}[data-state='acknowledged']")
            return page.inner_text(f"#alert-{ids['here_alert']} .state")

        assert "Officer 1001" in await chromium.page(take)
        for user in (lan, minh):
            # Each officer's Telegram card, edited through the outbox as a button press does.
            card = await edited(bot, user, "Officer 1001 đã nhận xử lý")
            assert card.message_id == copies[user.id].message_id

        # Another commune's officer: the alert's action URL is a 404, and nothing changes.
        def foreign(page: Page) -> int:
            page.goto(url + far_path)
            page.goto(url + "/canh-bao")
            csrf = page.locator("input[name='csrf']").first.get_attribute("value")
            response = page.request.post(
                f"{url}/canh-bao/{ids['here_alert']}/resolved", form={"csrf": csrf or ""}
            )
            return response.status

        assert await chromium.page(foreign) == 404
        async with bot.services.db.transaction() as session:
            alert = await session.get(Alert, ids["here_alert"])
            assert alert is not None
            assert alert.state == "acknowledged"

        # A take in Telegram (Quảng Phú's alert, by its own officer) shows on the open page.
        far_copy = await far.wait_for_message(lambda m: "SOS" in (m.text or ""))
        watch_path = await sign_in_path(bot.services, 3001)

        row = f"#alert-{ids['there_alert']}"

        def open_alerts(browser: Browser) -> Page:
            page = browser.new_context().new_page()
            page.goto(url + watch_path)
            page.goto(url + "/canh-bao")
            return page

        page = await chromium.run(open_alerts)
        assert await chromium.run(lambda _: page.get_attribute(row, "data-state")) == "open"
        await far.press("🙋 Tôi nhận", far_copy)
        await far.wait_for_answer()

        def taken(_: Browser) -> str:
            # The page polls (htmx, every 3 s): the take shows without a reload.
            page.wait_for_selector(f"{row}[data-state='acknowledged']", timeout=15_000)
            text = page.inner_text(f"{row} .state")
            page.context.close()
            return text

        assert "Officer 3001" in await chromium.run(taken)


async def test_public_page_shows_small_counts_as_under_5_and_nothing_personal(
    services: Services, clock: FakeClock, chromium: BrowserThread
) -> None:
    await area(services, clock)
    for number in range(5):
        await make_case(
            services.db,
            clock.now(),
            kind="f0",
            full_name=f"Phạm Thị Dung {number}",
            phone=f"+8491300000{number}",
            zone=HOME,
        )
    async with serving(services) as url:

        def public(page: Page, name: str) -> dict[str, Any]:
            response = page.goto(url + "/tinh-hinh")
            screenshot(page, name)
            return {
                "status": response.status if response else 0,
                "html": page.content(),
                "quang_phu": page.inner_text(f"tr[data-code='{QUANG_PHU}']"),
                "hac_thanh": page.inner_text(f"tr[data-code='{HAC_THANH}']"),
                "fits": no_horizontal_scroll(page),
                "bars": page.locator("#days rect").count(),
            }

        desktop = await chromium.page(lambda p: public(p, "public-desktop"))
        phone = await chromium.page(lambda p: public(p, "public-phone"), viewport=PHONE)
    assert desktop["status"] == 200
    assert desktop["bars"] == 14
    assert "< 5" in desktop["quang_phu"]
    # 5 F0 and 1 F1 active: "5" and "< 5", and their total from those figures (7.5 → 10),
    # not the exact 6 (bot/desk/disclosure.py).
    assert desktop["hac_thanh"].split("\t")[1:4] == ["10", "5", "< 5"]
    names = [n for n, _ in PEOPLE] + [f"Phạm Thị Dung {n}" for n in range(5)]
    phones = [p for _, p in PEOPLE] + [f"+8491300000{n}" for n in range(5)] + ["912000001"]
    coordinates = ["19.805", "105.775", "19.825", "105.795"]
    for secret in names + phones + coordinates + ["12 Lê Lợi"]:
        assert secret not in desktop["html"]
    assert phone["fits"]


async def test_case_page_shows_timeline_and_chart_and_is_404_elsewhere(
    services: Services, clock: FakeClock, chromium: BrowserThread
) -> None:
    from tests.bot.test_desk import checked_in

    ids = await area(services, clock)
    await checked_in(services, clock, ids["here"])
    for user_id, commune in ((1001, "hac thanh"), (3001, str(QUANG_PHU))):
        issued = await services.officers.invite("officer", commune, "cachly_bot")
        await services.officers.redeem(start_code(issued.link), user_id, f"Officer {user_id}")
    async with serving(services) as url:
        path = await sign_in_path(services, 1001)

        def case_page(page: Page) -> dict[str, Any]:
            page.goto(url + path)
            page.goto(url + "/ca")
            page.fill("input[name='q']", "tran thi binh")
            page.click(".filters button[type='submit']")
            page.wait_for_url(url + "/ca")
            found: dict[str, Any] = {"listed": page.locator("#cases tbody tr").count()}
            page.click("#cases tbody a")
            found["checkins"] = page.locator("#timeline li.checkin").count()
            found["points"] = page.locator("#chart circle.temperature").count()
            found["spo2"] = page.locator("#chart circle.spo2").count()
            screenshot(page, "case-desktop")
            page.set_viewport_size(PHONE)
            found["fits"] = no_horizontal_scroll(page)
            screenshot(page, "case-phone")
            return found

        seen = await chromium.page(case_page)
        assert seen == {"listed": 1, "checkins": 3, "points": 3, "spo2": 3, "fits": True}

        far_path = await sign_in_path(services, 3001)

        def foreign(page: Page) -> int:
            page.goto(url + far_path)
            response = page.goto(f"{url}/ca/{ids['here']}")
            return response.status if response else 0

        assert await chromium.page(foreign) == 404


async def test_a_new_link_shows_its_qr_code_and_the_language_switch_holds(
    services: Services, clock: FakeClock, chromium: BrowserThread
) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    await services.officers.redeem(start_code(issued.link), 1001, "Lan")
    case_id = await make_case(services.db, clock.now(), status="pending", full_name="Mai Thị Hoa")
    async with serving(services, usernames=lambda _: "cachly_bot") as url:
        path = await sign_in_path(services, 1001)

        def new_link(page: Page) -> dict[str, Any]:
            page.goto(url + path)
            page.goto(f"{url}/ca/{case_id}")
            page.click("#newlink button")
            page.click("#confirm")
            page.wait_for_selector("#qr")
            found: dict[str, Any] = {
                # Drawn, so the page's CSP let the data: image through.
                "qr_width": page.evaluate("document.getElementById('qr').naturalWidth"),
                "link": page.input_value("#link"),
                "fits": no_horizontal_scroll(page),
            }
            page.click("nav.lang a[lang='en']")
            page.wait_for_url(f"{url}/ca/{case_id}")
            found["english"] = page.inner_text("header nav[aria-label='menu']")
            page.goto(url + "/canh-bao")
            found["still_english"] = page.inner_text("h1")
            return found

        seen = await chromium.page(new_link, viewport=PHONE)
    assert seen["qr_width"] > 100
    assert seen["link"].startswith("https://t.me/cachly_bot?start=")
    assert seen["fits"]
    assert "Cases" in seen["english"]
    assert seen["still_english"] == "Open alerts"
