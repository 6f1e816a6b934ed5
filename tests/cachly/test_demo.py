"""`cachly demo` end to end: every behaviour of the simulated commune shows what a user expects."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest

from cachly.demo.commune import Behaviour, residents
from cachly.demo.texts import label, says
from cachly.root import main


def _sections(transcript: str) -> dict[str, str]:
    """The transcript's sections by their heading (who holds the phone)."""
    parts = re.split(
        r"^=== (.+?) \((?:chat \d+|Zalo \d+|SMS \+\d+)\) ===$", transcript, flags=re.MULTILINE
    )
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def _messages(section: str) -> list[str]:
    """A section's entries (a bot message, an edit or a user's action), in order."""
    entries = re.split(r"\n(?=\d\d/\d\d \d\d:\d\d  )", section.strip())
    return [re.sub(r"\n {20}", "\n", e) for e in entries if e]


Demo = tuple[dict[str, str], str, Path]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """Run the demo once for every test here: its transcript's sections, its output, the chart."""
    directory = tmp_path_factory.mktemp("demo")
    transcript, chart = directory / "transcript.txt", directory / "digest.png"
    capture = directory / "out.txt"

    with capture.open("w", encoding="utf-8") as out, contextlib.redirect_stdout(out):
        code = main(
            [
                "demo",
                "--days",
                "2",
                "--speed",
                "max",
                "--seed",
                "1",
                "--transcript",
                str(transcript),
                "--chart",
                str(chart),
            ]
        )
    assert code == 0
    return _sections(transcript.read_text(encoding="utf-8")), capture.read_text("utf-8"), chart


PEOPLE = residents(30, 1)


def _one(behaviour: Behaviour) -> str:
    return next(p.full_name for p in PEOPLE if p.behaviour is behaviour)


def _person(sections: dict[str, str], name: str) -> str:
    return next(text for heading, text in sections.items() if name in heading)


def _cards(sections: dict[str, str], kind: str, name: str | None = None) -> list[str]:
    """Alert cards of a kind the officers received (about `name`)."""
    officers = [text for heading, text in sections.items() if heading.startswith("Cán bộ")]
    return [
        entry
        for text in officers
        for entry in _messages(text)
        if " bot    " in entry
        and says(entry, f"alert.kind.{kind}")
        and (name is None or name in entry)
    ]


def test_the_wanderer_raised_an_out_of_zone_alert_an_officer_took(demo: Demo) -> None:
    sections, _, _ = demo
    wanderer = _one(Behaviour.WANDERS)
    assert says(_person(sections, wanderer), "location.outside_checkin")
    assert _cards(sections, "out_of_zone", wanderer)
    assert _taken(sections, "out_of_zone", wanderer)


def _taken(sections: dict[str, str], kind: str, name: str) -> bool:
    """Whether an officer pressed «take» under the card, and the card then said who took it."""
    take = f"▶    [{label('alert.button.acknowledge')}]"
    for heading, text in sections.items():
        if not heading.startswith("Cán bộ"):
            continue
        entries = _messages(text)
        cards = [i for i, e in enumerate(entries) if e in _cards({heading: text}, kind, name)]
        for i in cards:
            later = entries[i + 1 :]
            pressed = next((j for j, e in enumerate(later) if take in e), None)
            if pressed is not None and any(
                "bot ✎" in e and name in e and "Chưa ai nhận" not in e for e in later[pressed:]
            ):
                return True
    return False


def test_falling_spo2_raised_a_danger_sign_alert(demo: Demo) -> None:
    sections, _, _ = demo
    person = _one(Behaviour.SPO2_FALLING)
    assert says(_person(sections, person), "checkin.ask.spo2_again")
    assert _cards(sections, "danger_signs", person)


def test_the_forgetful_persons_miss_became_an_alert_then_unreachable(demo: Demo) -> None:
    sections, _, _ = demo
    person = _one(Behaviour.FORGETS)
    missed = _cards(sections, "missed_checkin", person)
    unreachable = _cards(sections, "unreachable", person)
    assert missed
    assert unreachable
    officer = _messages(next(t for h, t in sections.items() if h.startswith("Cán bộ")))
    assert officer.index(missed[0]) < officer.index(unreachable[0])


def test_the_households_prompts_name_each_person(demo: Demo) -> None:
    sections, _, _ = demo
    household = [p.full_name for p in PEOPLE if p.behaviour is Behaviour.HOUSEHOLD]
    chat = next(t for h, t in sections.items() if h.startswith("Hộ gia đình"))
    prompts = [e for e in _messages(chat) if " bot    " in e and says(e, "checkin.prompt")]
    for name in household:
        assert any(name in prompt for prompt in prompts)
    assert all(sum(name in p for name in household) == 1 for p in prompts)


def test_the_citizen_report_reached_the_commune_without_the_reporter(demo: Demo) -> None:
    sections, _, _ = demo
    citizen = _messages(next(t for h, t in sections.items() if h.startswith("Người dân")))
    (receipt,) = [e for e in citizen if says(e, "report.receipt")]
    assert "Trạm y tế Phường Hạc Thành" in receipt
    cards = _cards(sections, "citizen_report")
    assert len(cards) == 2  # both officers of the commune
    for card in cards:
        assert "chợ Hạc Thành" in card
        assert "Hùng" not in card.split("\n", 1)[0] + card.replace("chợ Hạc Thành", "")
        assert "7001" not in card


def test_the_summary_and_the_stand_ins_checks(demo: Demo) -> None:
    _, output, chart = demo
    assert "429: 0; bị từ chối: 0" in output
    assert "Tổng kết ngày" in output  # the digest as officers receive it
    assert re.search(r"\d\d/\d\d: \d+ / \d+ / \d+", output)  # compliance per day
    assert "ra ngoài: 1 (nhận 1" in output
    assert f"Biểu đồ tổng kết: {chart}" in output
    assert chart.read_bytes().startswith(b"\x89PNG")


def test_the_zalo_person_went_through_their_day_and_out_of_the_window(demo: Demo) -> None:
    sections, _, _ = demo
    name = _one(Behaviour.ZALO)
    heading, text = next((h, t) for h, t in sections.items() if name in h)
    assert "Zalo" in heading
    entries = _messages(text)
    user = [e for e in entries if "  ▶  " in e]
    # Followed the OA from the station's QR code and consented with Zalo's button.
    assert f"[{label('enrol.agree')}]" in user[1]
    assert any(says(e, "enrol.welcome") for e in entries)
    # The morning round answered with buttons and a location shared from Zalo's menu.
    assert any(f"[{label('checkin.feel.good')}]" in e for e in user)
    assert any(f"[{label('checkin.symptoms.none')}]" in e for e in user)
    shared = next(i for i, e in enumerate(entries) if "(chia sẻ vị trí)" in e)
    assert says(entries[shared + 1], "location.inside")
    # Silent from then on: the free window's messages run out, the next prompt is a ZNS
    # template and the reminder (no template for it) reaches their phone by SMS.
    later = entries[shared + 1 :]
    zns = next(i for i, e in enumerate(later) if "ZNS (mẫu demo-checkin)" in e)
    assert name in later[zns]
    assert any(e.split("  bot    ", 1)[-1].startswith("SMS: Nhac lai") for e in later[zns:])
    assert _cards(sections, "missed_checkin", name)


def test_the_sms_person_consented_answered_by_codes_and_sent_sos(demo: Demo) -> None:
    sections, _, _ = demo
    name = _one(Behaviour.SMS)
    heading, text = next((h, t) for h, t in sections.items() if name in h)
    assert "SMS" in heading
    entries = _messages(text)
    said = [e.split("▶    ", 1)[1] for e in entries if "  ▶  " in e]
    assert "Ban dong y khong? Tra loi 1 neu dong y" in entries[0]
    assert said[0] == "1"
    assert "da tham gia" in entries[2]
    # Check-ins answered: "1" in the morning, "2" in the evening, no location (a feature
    # phone), each thanked.
    assert {"1", "2", "8", "SOS"} <= set(said)
    assert sum("Tram y te da nhan khai bao" in e for e in entries) >= 2
    sos = next(i for i, e in enumerate(entries) if e.endswith("▶    SOS"))
    assert "115" in entries[sos + 1]
    # The SOS reached the officers, naming the person's channel.
    assert any("Kênh: SMS" in card for card in _cards(sections, "sos", name))


def test_the_summary_counts_each_channel(demo: Demo) -> None:
    _, output, _ = demo
    found = re.search(
        r"Tin theo kênh: Telegram (\d+); Zalo (\d+) \(ZNS (\d+): (\d+) đồng\); SMS (\d+)", output
    )
    assert found is not None, output
    telegram, zalo, zns, cost, sms = map(int, found.groups())
    assert telegram > zalo > zns >= 1
    assert cost == 300 * zns
    assert sms >= 10
