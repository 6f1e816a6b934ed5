"""The web desk's services: sign-in links and sessions, public counts, map data, alerts."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import select

from bot import alerts
from bot.clock import FakeClock
from bot.errors import NotAuthorised, UserError
from bot.models import AuditEntry, Checkin, WebSession, WebSignin
from bot.services import Services
from tests.factories import HAC_THANH, THANH_HOA, make_case
from tests.harness import start_code

QUANG_PHU = 16522  # Phường Quảng Phú, another commune of Thanh Hóa
HOME = {"type": "circle", "lat": 19.8075, "lon": 105.7764, "radius_m": 50}


async def officer(
    services: Services, user_id: int, area: str = "hac thanh", role: str = "officer"
) -> int:
    """An officer (or supervisor) bound to a Telegram user; returns the officer's id."""
    issued = await services.officers.invite(role, area, "cachly_bot")
    return (
        await services.officers.redeem(start_code(issued.link), user_id, f"Officer {user_id}")
    ).id


def code_of(url: str) -> str:
    return urlparse(url).path.rsplit("/", 1)[1]


async def raise_(
    services: Services,
    clock: FakeClock,
    case_id: int,
    commune: int = HAC_THANH,
    kind: str = alerts.SOS,
) -> int:
    async with services.db.transaction() as session:
        raised = await alerts.raise_alert(
            services.alerts.config,
            session,
            kind=kind,
            commune_code=commune,
            now=clock.now(),
            evidence={},
            case_id=case_id,
        )
        return raised.id


async def test_a_link_opens_one_session_once_and_is_stored_hashed(services: Services) -> None:
    await officer(services, 1001)
    link = await services.signins.issue(1001)
    assert link.url.startswith("http://127.0.0.1:8080/dang-nhap/")
    code = code_of(link.url)
    assert len(code) >= 22  # 128 bits in URL-safe base64
    token = await services.signins.redeem(code)
    user = await services.signins.user(token)
    assert user is not None
    assert (user.role, user.commune_name) == ("officer", "Phường Hạc Thành")
    with pytest.raises(UserError, match=r"web\.link_invalid"):
        await services.signins.redeem(code)
    async with services.db.transaction() as session:
        hashes = list(await session.scalars(select(WebSignin.code_hash)))
        tokens = list(await session.scalars(select(WebSession.token_hash)))
    assert code not in hashes
    assert token not in tokens
    assert len(hashes) == len(tokens) == 1


async def test_an_expired_link_or_a_made_up_one_is_refused(
    services: Services, clock: FakeClock
) -> None:
    await officer(services, 1001)
    link = await services.signins.issue(1001)
    clock.advance(timedelta(minutes=10, seconds=1))
    with pytest.raises(UserError, match=r"web\.link_invalid"):
        await services.signins.redeem(code_of(link.url))
    with pytest.raises(UserError, match=r"web\.link_invalid"):
        await services.signins.redeem("made-up")


async def test_only_officers_get_a_link(services: Services) -> None:
    with pytest.raises(NotAuthorised):
        await services.signins.issue(4242)


async def test_a_session_lasts_8_hours_and_ends_on_sign_out(
    services: Services, clock: FakeClock
) -> None:
    await officer(services, 1001)
    token = await services.signins.redeem(code_of((await services.signins.issue(1001)).url))
    clock.advance(timedelta(hours=7, minutes=59))
    assert await services.signins.user(token) is not None
    clock.advance(timedelta(minutes=2))
    assert await services.signins.user(token) is None
    other = await services.signins.redeem(code_of((await services.signins.issue(1001)).url))
    await services.signins.sign_out(other)
    assert await services.signins.user(other) is None


@pytest.mark.parametrize(
    ("role", "area", "ends"),
    [
        ("officer", "hac thanh", "revoked"),
        ("supervisor", "Thanh Hóa", "revoked"),
        ("officer", "hac thanh", "moved"),
    ],
)
async def test_revoking_or_moving_an_officer_ends_their_sessions_and_links(
    services: Services, role: str, area: str, ends: str
) -> None:
    officer_id = await officer(services, 1001, area, role)
    token = await services.signins.redeem(code_of((await services.signins.issue(1001)).url))
    unused = await services.signins.issue(1001)
    if ends == "revoked":
        await services.officers.revoke_officer(officer_id)
    else:
        await officer(services, 1001, "quang phu")  # the same user, now another commune's
    assert await services.signins.user(token) is None
    with pytest.raises(UserError):
        await services.signins.redeem(code_of(unused.url))
    async with services.db.transaction() as session:
        end = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "officer.access_end")
        )
    assert end is not None
    assert (end.details["reason"], end.details["web_sessions"]) == (ends, 1)


async def test_public_counts_per_commune_and_province(services: Services, clock: FakeClock) -> None:
    now = clock.now()
    for _ in range(6):
        await make_case(services.db, now, kind="f0")
    await make_case(services.db, now, kind="f1")
    await make_case(services.db, now, kind="f1", commune_code=QUANG_PHU)
    await make_case(services.db, now, status="released", closed_at=now, commune_code=QUANG_PHU)
    tally = await services.public.tally(THANH_HOA)
    by_code = {c.code: c for c in tally.communes}
    assert by_code[HAC_THANH].active == {"f0": 6, "f1": 1, "other": 0}
    assert by_code[HAC_THANH].new_today == 7
    assert (by_code[QUANG_PHU].active_total, by_code[QUANG_PHU].released_today) == (1, 1)
    assert tally.province.active_total == 8
    assert tally.province.name == "Thanh Hóa"
    # The 14-day series: nobody before the cases started on 20/11, eight since.
    assert len(tally.days) == 14
    by_day = {day.isoformat(): n for day, n in tally.days}
    assert (by_day["2026-11-19"], by_day["2026-11-20"], by_day["2026-11-25"]) == (0, 8, 8)
    # What the page gets: figures only.
    counts = await services.public.counts()
    assert counts is not None
    shown = {c.code: c for c in counts.communes}
    hac_thanh = shown[HAC_THANH]
    assert [hac_thanh.active[k].text for k in ("f0", "f1", "other")] == ["5", "< 5", "0"]
    assert hac_thanh.active_total.text == "10"  # 5 + 2.5 from the figures (not the 7 cases)
    assert (shown[QUANG_PHU].active_total.text, shown[QUANG_PHU].released_today.text) == (
        "< 5",
        "< 5",
    )
    assert counts.province.active_total.text == "10"  # 5 + 2.5 + 2.5 (not the 8 cases)
    assert [figure.text for _, figure in counts.days][-1] == "10"  # 8 people: rounded
    assert await services.public.counts(1) is None  # a province this deployment does not serve


async def test_public_counts_are_cached_for_a_minute(services: Services, clock: FakeClock) -> None:
    for _ in range(5):
        await make_case(services.db, clock.now())
    first = await services.public.counts()
    for _ in range(5):
        await make_case(services.db, clock.now())
    assert await services.public.counts() is first
    clock.advance(timedelta(seconds=61))
    again = await services.public.counts()
    assert first is not None
    assert again is not None
    assert (first.province.active_total.text, again.province.active_total.text) == ("5", "10")


async def test_map_data_follows_the_area(services: Services, clock: FakeClock) -> None:
    lan = await officer(services, 1001)
    boss = await officer(services, 2001, "Thanh Hóa", "supervisor")
    far = await officer(services, 3001, str(QUANG_PHU))
    here = await make_case(services.db, clock.now(), zone=HOME)
    there = await make_case(services.db, clock.now(), zone=HOME, commune_code=QUANG_PHU)
    await raise_(services, clock, here)
    await raise_(services, clock, there, QUANG_PHU)
    async with services.db.transaction() as session:
        for minutes, outcome in enumerate(("missed", "on_time", "on_time", "missed")):
            nominal = clock.now() - timedelta(minutes=minutes)
            session.add(
                Checkin(
                    case_id=here,
                    kind="scheduled",
                    nominal_at=nominal,
                    due_at=nominal,
                    state="closed",
                    outcome=outcome,
                    closes_at=clock.now(),
                    created_at=clock.now(),
                )
            )

    mine = await services.desk_map.data(lan)
    assert [c.code for c in mine.communes] == [HAC_THANH]
    assert (mine.communes[0].active, mine.communes[0].missed_share) == (1, 0.5)
    assert [p.kind for p in mine.alerts] == ["sos"]
    assert [(p.ref, p.lat, p.lon) for p in mine.homes] == [(here, 19.8075, 105.7764)]

    province = await services.desk_map.data(boss)
    assert len(province.communes) > 100  # every commune of Thanh Hóa
    assert {c.code: c.active for c in province.communes if c.active} == {HAC_THANH: 1, QUANG_PHU: 1}
    assert len(province.alerts) == 2
    assert province.homes == ()  # a supervisor sees counts, not homes

    assert [p.ref for p in (await services.desk_map.data(far)).homes] == [there]


async def test_desk_alerts_and_actions_keep_to_the_area(
    services: Services, clock: FakeClock
) -> None:
    lan = await officer(services, 1001)
    far = await officer(services, 3001, str(QUANG_PHU))
    here = await make_case(services.db, clock.now())
    alert_id = await raise_(services, clock, here)
    [listed] = await services.desk_alerts.open_alerts(lan)
    assert (listed.id, listed.kind, listed.taken_by, listed.may_false_alarm) == (
        alert_id,
        "sos",
        None,
        True,
    )
    assert await services.desk_alerts.open_alerts(far) == []
    with pytest.raises(NotAuthorised):
        await services.alerts.perform(3001, "acknowledge", alert_id)
    await services.alerts.perform(1001, "acknowledge", alert_id)
    [taken] = await services.desk_alerts.open_alerts(lan)
    assert taken.taken_by == "Officer 1001"


async def checked_in(services: Services, clock: FakeClock, case_id: int) -> None:
    """Three answered check-ins over three days, with temperature and SpO2."""
    async with services.db.transaction() as session:
        for day, (temperature, spo2) in enumerate(((37.2, 98), (38.4, 96), (39.1, 94))):
            at = clock.now() - timedelta(days=3 - day)
            session.add(
                Checkin(
                    case_id=case_id,
                    kind="scheduled",
                    nominal_at=at,
                    due_at=at,
                    state="done",
                    outcome="on_time",
                    answered_at=at,
                    closes_at=at + timedelta(hours=2),
                    vitals={"temperature": temperature, "spo2": spo2},
                    created_at=at,
                )
            )


async def test_case_list_filters_and_searches_without_diacritics(
    services: Services, clock: FakeClock
) -> None:
    from bot.desk.cases import CaseFilters, DeskCase

    lan = await officer(services, 1001)
    await make_case(services.db, clock.now(), full_name="Đặng Thị Hường", phone="+84987654321")
    await make_case(services.db, clock.now(), full_name="Lê Văn Tám", kind="f0", zone=HOME)
    await make_case(services.db, clock.now(), full_name="Ngô Bảo", commune_code=QUANG_PHU)

    def names(found: list[DeskCase]) -> list[str]:
        return sorted(c.full_name for c in found)

    everyone = await services.desk_cases.cases(lan, CaseFilters())
    assert names(everyone) == ["Lê Văn Tám", "Đặng Thị Hường"]
    assert names(await services.desk_cases.cases(lan, CaseFilters(query="dang thi huong"))) == [
        "Đặng Thị Hường"
    ]
    assert names(await services.desk_cases.cases(lan, CaseFilters(query="0987 654"))) == [
        "Đặng Thị Hường"
    ]
    assert names(await services.desk_cases.cases(lan, CaseFilters(kind="f0"))) == ["Lê Văn Tám"]
    assert names(await services.desk_cases.cases(lan, CaseFilters(missing_home=True))) == [
        "Đặng Thị Hường"
    ]
    assert await services.desk_cases.cases(lan, CaseFilters(query="ngo bao")) == []


async def test_case_timeline_has_its_checkins_and_vitals_and_is_audited(
    services: Services, clock: FakeClock
) -> None:
    lan = await officer(services, 1001)
    far = await officer(services, 3001, str(QUANG_PHU))
    case_id = await make_case(services.db, clock.now())
    await checked_in(services, clock, case_id)
    await raise_(services, clock, case_id)
    timeline = await services.desk_cases.timeline(lan, case_id)
    assert [(v.temperature, v.spo2) for v in timeline.vitals] == [
        (37.2, 98.0),
        (38.4, 96.0),
        (39.1, 94.0),
    ]
    kinds = [e.kind for e in timeline.events]
    assert kinds.count("checkin") == 3
    assert "alert" in kinds
    with pytest.raises(UserError, match=r"web\.not_found"):
        await services.desk_cases.timeline(far, case_id)
    async with services.db.transaction() as session:
        views = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "case.web_view"))
        )
    assert [(v.actor, v.subject_id) for v in views] == [(f"officer:{lan}", str(case_id))]


async def test_case_list_of_one_commune_stays_in_the_area(
    services: Services, clock: FakeClock
) -> None:
    from bot.desk.cases import CaseFilters

    boss = await officer(services, 2001, "Thanh Hóa", "supervisor")
    lan = await officer(services, 1001)
    await make_case(services.db, clock.now())
    there = await make_case(services.db, clock.now(), commune_code=QUANG_PHU)
    found = await services.desk_cases.cases(boss, CaseFilters(commune_code=QUANG_PHU))
    assert [c.id for c in found] == [there]
    assert await services.desk_cases.cases(lan, CaseFilters(commune_code=QUANG_PHU)) == []


async def test_map_boundaries_come_apart_versioned_by_their_load(
    services: Services, clock: FakeClock
) -> None:
    from web.routes.map import Shapes

    lan = await officer(services, 1001)

    def square(lon: float, lat: float) -> dict[str, object]:
        ring = [[lon, lat], [lon + 0.01, lat], [lon + 0.01, lat + 0.01], [lon, lat]]
        return {"type": "Polygon", "coordinates": [ring]}

    async def load(lon: float) -> None:
        feature = {
            "type": "Feature",
            "properties": {"ma_xa": HAC_THANH},
            "geometry": square(lon, 19.8),
        }
        await services.boundaries.load({"type": "FeatureCollection", "features": [feature]})

    shapes = Shapes()
    before = await services.desk_map.data(lan)
    assert before.communes[0].boundary_at is None  # listed, not drawn
    assert await shapes.texts(services.desk_map, before.communes) == {}
    await load(105.77)
    first = await services.desk_map.data(lan)
    assert first.communes[0].boundary_at == clock.now()
    [(loaded_at, geometry)] = (await services.desk_map.boundaries([HAC_THANH])).values()
    assert (loaded_at, geometry["type"]) == (clock.now(), "Polygon")
    text = (await shapes.texts(services.desk_map, first.communes))[HAC_THANH]
    assert text.startswith('{"type":"Polygon","coordinates":[[[105.77,19.8]')
    clock.advance(timedelta(minutes=1))
    await load(105.5)  # loaded again: a new version, encoded again
    again = await services.desk_map.data(lan)
    assert "[[[105.5,19.8]" in (await shapes.texts(services.desk_map, again.communes))[HAC_THANH]


async def test_map_counts_todays_check_ins_at_most_every_30_seconds(
    services: Services, clock: FakeClock
) -> None:
    lan = await officer(services, 1001)
    case_id = await make_case(services.db, clock.now())

    async def closed(outcome: str) -> None:
        async with services.db.transaction() as session:
            session.add(
                Checkin(
                    case_id=case_id,
                    kind="scheduled",
                    nominal_at=clock.now(),
                    due_at=clock.now(),
                    state="closed",
                    outcome=outcome,
                    closes_at=clock.now(),
                    created_at=clock.now(),
                )
            )

    await closed("missed")
    first = (await services.desk_map.data(lan)).communes[0]
    assert (first.active, first.due_today, first.missed_today) == (1, 1, 1)
    clock.advance(timedelta(seconds=10))
    await closed("on_time")
    await make_case(services.db, clock.now())
    again = (await services.desk_map.data(lan)).communes[0]
    # Active cases are read every time; today's check-ins are the count of 10 s ago.
    assert (again.active, again.due_today, again.missed_today) == (2, 1, 1)
    clock.advance(timedelta(seconds=21))
    later = (await services.desk_map.data(lan)).communes[0]
    assert (later.due_today, later.missed_today) == (2, 1)
