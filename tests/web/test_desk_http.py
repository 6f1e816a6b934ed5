"""The desk over HTTP without a browser: CSRF, sign-out, cookies, the worklist page."""

from __future__ import annotations

from urllib.parse import urlparse

import httpx

from bot import alerts
from bot.clock import FakeClock
from bot.services import Services
from tests.factories import make_case
from tests.harness import start_code
from tests.web.desk import sign_in as signed_in


async def test_the_session_cookie_is_httponly_and_strict(
    services: Services, client: httpx.AsyncClient
) -> None:
    issued = await services.officers.invite("officer", "hac thanh", "cachly_bot")
    await services.officers.redeem(start_code(issued.link), 1001, "Lan")
    path = urlparse((await services.signins.issue(1001)).url).path
    cookie = (await client.get(path)).headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # base_url is http:// here


async def test_actions_without_the_csrf_token_are_refused(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(services, client)
    case_id = await make_case(services.db, clock.now())
    async with services.db.transaction() as session:
        raised = await alerts.raise_alert(
            services.alerts.config,
            session,
            kind=alerts.SOS,
            commune_code=14797,
            now=clock.now(),
            evidence={},
            case_id=case_id,
        )
    refused = await client.post(f"/canh-bao/{raised.id}/acknowledge", data={"csrf": "forged"})
    assert refused.status_code == 403
    taken = await client.post(f"/canh-bao/{raised.id}/acknowledge", data={"csrf": csrf})
    assert taken.status_code == 303
    listed = await client.get("/canh-bao/danh-sach")
    assert 'data-state="acknowledged"' in listed.text


async def test_sign_out_ends_the_session(services: Services, client: httpx.AsyncClient) -> None:
    csrf = await signed_in(services, client)
    assert (await client.get("/ban-do")).status_code == 200
    assert (await client.post("/dang-xuat", data={"csrf": csrf})).status_code == 200
    assert (await client.get("/ban-do")).status_code == 401
    assert (await client.get("/ban-do/du-lieu")).status_code == 401


async def test_a_forged_cookie_is_not_a_session(client: httpx.AsyncClient) -> None:
    client.cookies.set("cachly_session", "made-up.signature")
    assert (await client.get("/ca")).status_code == 401


async def test_worklist_page_lists_the_bots_worklist(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    await signed_in(services, client)
    await make_case(services.db, clock.now(), full_name="Hoàng Văn Em", status="pending")
    page = await client.get("/viec-can-lam")
    assert page.status_code == 200
    assert "Hoàng Văn Em" in page.text
    assert "<b>Chưa tham gia</b>" in page.text  # the catalogue's own markup, not escaped


async def test_extend_from_the_case_page_is_confirmed_then_made(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    from datetime import date

    from bot.models import Case

    csrf = await signed_in(services, client)
    case_id = await make_case(services.db, clock.now(), full_name="Vũ Thị Gấm")
    form = {"csrf": csrf, "action": "extend", "days": "3"}
    asked = await client.post(f"/ca/{case_id}/thao-tac", data=form)
    assert asked.status_code == 200
    assert "thêm 3 ngày, đến 07/12/2026" in asked.text
    async with services.db.transaction() as session:
        unchanged = await session.get(Case, case_id)
        assert unchanged is not None
        assert unchanged.end_date == date(2026, 12, 4)  # nothing written before the confirmation
    done = await client.post(f"/ca/{case_id}/thao-tac", data={**form, "confirm": "1"})
    assert done.status_code == 303
    async with services.db.transaction() as session:
        changed = await session.get(Case, case_id)
        assert changed is not None
        assert changed.end_date == date(2026, 12, 7)
    refused = await client.post(
        f"/ca/{case_id}/thao-tac", data={**form, "days": "99", "confirm": "1"}
    )
    assert refused.status_code == 400


async def test_a_case_of_another_commune_cannot_be_changed(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(services, client)
    elsewhere = await make_case(services.db, clock.now(), commune_code=16522)
    answer = await client.post(
        f"/ca/{elsewhere}/thao-tac", data={"csrf": csrf, "action": "release", "confirm": "1"}
    )
    assert answer.status_code == 404
    assert (await client.get(f"/ca/{elsewhere}")).status_code == 404


async def test_exports_download_the_areas_cases(
    services: Services, clock: FakeClock, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(services, client)
    await make_case(services.db, clock.now(), full_name="Đỗ Văn Hải")
    await make_case(services.db, clock.now(), full_name="Ngô Bảo", commune_code=16522)
    answer = await client.post("/xuat", data={"csrf": csrf, "what": "cases", "format": "csv"})
    assert answer.status_code == 200
    assert "attachment" in answer.headers["content-disposition"]
    text = answer.content.decode("utf-8-sig")
    assert "Đỗ Văn Hải" in text
    assert "Ngô Bảo" not in text
    xlsx = await client.post("/xuat", data={"csrf": csrf, "what": "checkins", "format": "xlsx"})
    assert xlsx.content[:2] == b"PK"
    assert (await client.post("/xuat", data={"what": "cases"})).status_code == 403


async def test_import_by_upload_reports_bad_rows_and_imports_a_clean_file(
    services: Services, client: httpx.AsyncClient
) -> None:
    csrf = await signed_in(services, client)
    header = "Họ và tên,Số điện thoại,Năm sinh,Loại\n"
    bad = header + "Lý Thị Mai,0912345670,1990,F1\nKhông Số,abc,1990,F1\n"
    files = {"file": ("ds.csv", bad.encode(), "text/csv")}
    refused = await client.post("/nhap", data={"csrf": csrf}, files=files)
    assert refused.status_code == 200
    assert "Dòng 3" in refused.text
    assert 'id="imported"' not in refused.text
    good = header + "Lý Thị Mai,0912345670,1990,F1\n"
    files = {"file": ("ds.csv", good.encode(), "text/csv")}
    done = await client.post("/nhap", data={"csrf": csrf}, files=files)
    assert 'id="imported"' in done.text
    assert "Lý Thị Mai" in done.text
    assert "?start=" in done.text
