"""The desk's pages over HTTP: the language switch, a new enrolment link with its QR code,
every change on a case's page confirmed and audited, the digest page."""

from __future__ import annotations

import base64
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import httpx
from sqlalchemy import select

from bot.clock import FakeClock
from bot.config import settings_from_mapping
from bot.models import AuditEntry, Case, Checkin, Officer
from bot.services import Services
from bot.tokens import hash_code
from tests.factories import make_case
from tests.web.desk import sign_in
from web.pages import configured_usernames

QUANG_PHU = 16522


async def closed(services: Services, case_id: int, at: datetime, outcome: str) -> None:
    """A check-in of the case, due and closed at `at` with this outcome."""
    async with services.db.transaction() as session:
        session.add(
            Checkin(
                case_id=case_id,
                kind="scheduled",
                nominal_at=at,
                due_at=at,
                state="closed",
                outcome=outcome,
                closes_at=at,
                answers={},
                vitals={},
                danger_signs=[],
                created_at=at,
            )
        )


async def test_the_language_switch_is_kept_in_a_cookie_and_comes_back_to_the_page(
    services: Services, client: httpx.AsyncClient
) -> None:
    first = await client.get("/tinh-hinh")
    assert '<html lang="vi">' in first.text
    assert 'href="/ngon-ngu/en?next=/tinh-hinh"' in first.text
    switched = await client.get("/ngon-ngu/en", params={"next": "/tinh-hinh"})
    assert switched.status_code == 303
    assert switched.headers["location"] == "/tinh-hinh"
    assert "cachly_lang=en" in switched.headers["set-cookie"]
    again = await client.get("/tinh-hinh")
    assert '<html lang="en">' in again.text
    assert "Home isolation: the situation" in again.text
    assert again.headers["vary"] == "Cookie"  # a shared cache keeps one copy per language
    # Signed-in pages follow it too, and the switch goes back to Vietnamese.
    await sign_in(services, client)
    assert "Open alerts" in (await client.get("/canh-bao")).text
    await client.get("/ngon-ngu/vi", params={"next": "/canh-bao"})
    assert "Cảnh báo đang mở" in (await client.get("/canh-bao")).text


async def test_the_language_switch_goes_only_to_this_site(client: httpx.AsyncClient) -> None:
    for elsewhere in ("//evil.example/x", "https://evil.example", "/\\evil.example", ""):
        answer = await client.get("/ngon-ngu/en", params={"next": elsewhere})
        assert answer.headers["location"] == "/"
    assert (await client.get("/ngon-ngu/fr")).status_code == 404


async def test_a_new_link_with_its_qr_code_from_the_case_page_confirmed_and_audited(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    csrf = await sign_in(services, client)
    case_id = await make_case(services.db, clock.now(), status="pending", full_name="Hà Thị Yến")
    async with services.db.transaction() as session:
        old = (await session.get(Case, case_id)).enrolment_code_hash  # type: ignore[union-attr]
    page = await client.get(f"/ca/{case_id}")
    assert 'id="newlink"' in page.text
    asked = await client.post(f"/ca/{case_id}/duong-dan-moi", data={"csrf": csrf})
    assert asked.status_code == 200
    assert "Đường dẫn cũ sẽ không dùng được nữa" in asked.text
    async with services.db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        assert case.enrolment_code_hash == old  # nothing issued before the confirmation
    done = await client.post(f"/ca/{case_id}/duong-dan-moi", data={"csrf": csrf, "confirm": "1"})
    assert done.status_code == 200
    assert done.headers["cache-control"] == "no-store"
    link = re.search(r'value="(https://t\.me/cachly_bot\?start=[^"]+)"', done.text)
    assert link is not None
    qr = re.search(r'<img id="qr" src="data:image/png;base64,([^"]+)"', done.text)
    assert qr is not None
    assert base64.b64decode(qr.group(1)).startswith(b"\x89PNG")
    code = parse_qs(urlparse(link.group(1)).query)["start"][0]
    async with services.db.transaction() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        assert case.enrolment_code_hash == hash_code(code)  # the shown link is the live one
        officer_id = await session.scalar(
            select(Officer.id).where(Officer.telegram_user_id == 1001)
        )
        entry = await session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "case.link", AuditEntry.subject_id == str(case_id)
            )
        )
    assert entry is not None
    assert entry.actor == f"officer:{officer_id}"
    # The case page's CSP lets the data: image show (img-src 'self' data:).
    assert "img-src 'self' data:" in done.headers["content-security-policy"]


async def test_a_new_link_is_refused_for_a_joined_case_another_commune_or_a_forged_form(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    csrf = await sign_in(services, client)
    joined = await make_case(services.db, clock.now(), full_name="Đinh Văn Khoa")
    assert 'id="newlink"' not in (await client.get(f"/ca/{joined}")).text
    form = {"csrf": csrf, "confirm": "1"}
    refused = await client.post(f"/ca/{joined}/duong-dan-moi", data=form)
    assert refused.status_code == 400
    assert "đã tham gia" in refused.text
    elsewhere = await make_case(services.db, clock.now(), status="pending", commune_code=QUANG_PHU)
    assert (await client.post(f"/ca/{elsewhere}/duong-dan-moi", data=form)).status_code == 404
    pending = await make_case(services.db, clock.now(), status="pending")
    forged = {"csrf": "forged", "confirm": "1"}
    assert (await client.post(f"/ca/{pending}/duong-dan-moi", data=forged)).status_code == 403


async def test_every_change_on_the_case_page_is_confirmed_then_audited(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    csrf = await sign_in(services, client)
    changes = {
        "extend": {"days": "2"},
        "release": {},
        "hospitalize": {},
        "transfer": {"commune": "quang phu"},
    }
    for action, extra in changes.items():
        case_id = await make_case(services.db, clock.now(), full_name=f"Người {action}")
        page = await client.get(f"/ca/{case_id}")
        assert f'name="action" value="{action}"' in page.text
        form = {"csrf": csrf, "action": action, **extra}
        asked = await client.post(f"/ca/{case_id}/thao-tac", data=form)
        assert asked.status_code == 200
        assert 'id="confirm"' in asked.text
        async with services.db.transaction() as session:
            before = await session.scalar(
                select(AuditEntry).where(
                    AuditEntry.action == f"case.{action}", AuditEntry.subject_id == str(case_id)
                )
            )
        assert before is None  # nothing written before the confirmation
        done = await client.post(f"/ca/{case_id}/thao-tac", data={**form, "confirm": "1"})
        assert done.status_code == 303
        async with services.db.transaction() as session:
            entry = await session.scalar(
                select(AuditEntry).where(
                    AuditEntry.action == f"case.{action}", AuditEntry.subject_id == str(case_id)
                )
            )
        assert entry is not None, action
        assert entry.actor.startswith("officer:")


async def test_the_digest_page_is_the_bots_digest_for_the_commune_with_its_chart(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    await sign_in(services, client)
    case_id = await make_case(services.db, clock.now(), kind="f0", full_name="Lò Văn Minh")
    await make_case(services.db, clock.now(), commune_code=QUANG_PHU)
    await closed(services, case_id, clock.now() - timedelta(hours=1), "on_time")
    await closed(services, case_id, clock.now() - timedelta(minutes=30), "missed")
    page = await client.get("/tong-ket")
    assert page.status_code == 200
    text = page.text
    assert "Tổng kết ngày" in text
    assert "Phường Hạc Thành" in text
    assert "Đang cách ly: <b>1</b> (F0: 1, F1: 0, khác: 0)" in text  # one case: its commune's
    assert "đúng giờ 1" in text
    assert "bỏ lỡ 1" in text
    assert text.count('<rect class="on_time"') == 7  # the last 7 days
    assert 'id="communes"' not in text  # an officer's digest has no commune lines


async def test_a_supervisors_digest_page_lists_the_communes_most_missed_first(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    await sign_in(services, client, 2001, "Thanh Hóa", role="supervisor")
    here = await make_case(services.db, clock.now())
    await make_case(services.db, clock.now(), commune_code=QUANG_PHU)
    await closed(services, here, clock.now(), "missed")
    text = (await client.get("/tong-ket")).text
    assert "Thanh Hóa" in text
    rows = re.findall(r'<tr data-code="(\d+)">', text)
    assert rows == ["14797", str(QUANG_PHU)]  # Hạc Thành missed 100 %, Quảng Phú 0 %
    assert (await client.get("/tong-ket")).headers["cache-control"] == "no-store"


async def test_links_name_the_bot_of_the_cases_province() -> None:
    settings = settings_from_mapping(
        {
            "deployment": {"provinces": [38, 40]},
            "bots": [
                {"key": "a", "provinces": [38], "token_env": "A", "username": "bot_a"},
                {"key": "b", "provinces": [40], "token_env": "B", "username": "bot_b"},
            ],
        },
        {"A": "1:a", "B": "2:b"},
    )
    usernames = configured_usernames(settings)
    assert (usernames(38), usernames(40), usernames(1)) == ("bot_a", "bot_b", "")


async def test_the_public_page_gives_no_small_count_away_by_subtraction(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    """3 people in Hạc Thành, 23 in Quảng Phú: the province minus Quảng Phú is not 3."""
    now = clock.now()
    for _ in range(3):
        await make_case(services.db, now)
    for _ in range(23):
        await make_case(services.db, now, commune_code=QUANG_PHU, kind="f0")
    # One more since yesterday: the bars of the two days must not differ by one person.
    await make_case(
        services.db, now, commune_code=QUANG_PHU, kind="f0", start_date=date(2026, 11, 25)
    )
    page = (await client.get("/tinh-hinh")).text

    def row(code: str) -> list[str]:
        found = re.search(rf'<tr (?:data-code|id)="{code}">(.*?)</tr>', page, re.DOTALL)
        assert found is not None
        return re.findall(r"<td>([^<]*)</td>", found.group(1))

    # Active, F0, F1, other, new today, released today.
    assert row("14797") == ["&lt; 5", "0", "&lt; 5", "0", "&lt; 5", "0"]
    assert row(str(QUANG_PHU)) == ["25", "25", "0", "0", "25", "0"]  # 24 people: rounded
    assert row("province") == ["30", "25", "&lt; 5", "0", "30", "0"]  # 2.5 + 25, rounded
    assert int(row("province")[0]) - int(row(str(QUANG_PHU))[0]) != 3
    bars = re.findall(r'<rect x="[^"]+" y="[^"]+" width="[^"]+" height="([^"]+)"', page)
    assert len(bars) == 14
    assert bars[-1] == bars[-2]  # 27 today, 26 yesterday: both "25", drawn alike
    for exact in ("26", "27", "24", "23"):
        assert f">{exact}<" not in page
