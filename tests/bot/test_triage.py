"""Triage: the Ministry of Health's warning signs as a pure function, table by table."""

from __future__ import annotations

import pytest

from bot.config import TriageSettings
from bot.triage import (
    Readings,
    age_in,
    breaths_limit,
    danger_signs,
    fold_label,
    in_range,
    new_signs,
    parse_number,
)

DEFAULTS = TriageSettings()


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("37,8", 37.8),
        ("37.8", 37.8),
        (" 38 ", 38.0),
        ("95%", 95.0),
        ("95 %", 95.0),
        ("37,5 độ", 37.5),
        ("37.5°C", 37.5),
        ("16 lần", 16.0),
        ("37 độ 8", 37.8),
        ("37 do 8", 37.8),
        ("37 độ", 37.0),
        ("37,8 độ", 37.8),
        ("38.5°C", 38.5),
        ("38,5 °C", 38.5),
        ("37 độ rưỡi", 37.5),
        ("16 lần/phút", 16.0),
        ("abc", None),
        ("", None),
        ("37,8,1", None),
        ("-37", None),
        ("ba bảy", None),
        # A number out of range is still a number: re-asked for its range, not its form.
        ("1000", 1000.0),
    ],
)
def test_typed_numbers_accept_comma_and_point(typed: str, value: float | None) -> None:
    assert parse_number(typed) == value


@pytest.mark.parametrize(
    ("measure", "value", "ok"),
    [
        ("temperature", 33.9, False),
        ("temperature", 34.0, True),
        ("temperature", 43.0, True),
        ("temperature", 43.1, False),
        ("spo2", 49, False),
        ("spo2", 50, True),
        ("spo2", 100, True),
        ("spo2", 101, False),
        ("breaths", 4, False),
        ("breaths", 5, True),
        ("breaths", 80, True),
        ("breaths", 81, False),
        ("pulse", 29, False),
        ("pulse", 30, True),
        ("pulse", 220, True),
        ("pulse", 221, False),
    ],
)
def test_ranges(measure: str, value: float, ok: bool) -> None:
    assert in_range(measure, value) is ok


@pytest.mark.parametrize(
    ("age", "limit"),
    [(None, 20), (0, 20), (1, 40), (4, 40), (5, 30), (11, 30), (12, 20), (70, 20)],
)
def test_breathing_limit_by_age(age: int | None, limit: int) -> None:
    assert breaths_limit(age, DEFAULTS) == limit


@pytest.mark.parametrize(
    ("readings", "signs"),
    [
        (Readings(), ()),
        (Readings(symptoms=frozenset({"fever", "cough"}), temperature=38.5), ()),
        (Readings(temperature=39.0), ("fever_high",)),
        (Readings(temperature=38.9), ()),
        (Readings(spo2=96), ("spo2_low",)),
        (Readings(spo2=97), ()),
        (Readings(breaths=19, age=40), ()),
        (Readings(breaths=20, age=40), ("breaths_high",)),
        (Readings(breaths=29, age=8), ()),
        (Readings(breaths=30, age=8), ("breaths_high",)),
        (Readings(breaths=39, age=3), ()),
        (Readings(breaths=40, age=3), ("breaths_high",)),
        (Readings(pulse=120), ()),
        (Readings(pulse=121), ("pulse_high",)),
        (Readings(pulse=50), ()),
        (Readings(pulse=49), ("pulse_low",)),
        (Readings(symptoms=frozenset({"short_breath"})), ("short_breath",)),
        (Readings(symptoms=frozenset({"chest_pain"})), ("chest_pain",)),
        (Readings(symptoms=frozenset({"confusion"})), ("confusion",)),
        (
            Readings(symptoms=frozenset({"confusion", "short_breath"}), spo2=90, pulse=130),
            ("short_breath", "confusion", "spo2_low", "pulse_high"),
        ),
    ],
)
def test_warning_signs(readings: Readings, signs: tuple[str, ...]) -> None:
    assert danger_signs(readings, DEFAULTS) == signs


def test_thresholds_come_from_settings() -> None:
    strict = TriageSettings(spo2_max=94, temperature_max=38.5, pulse_max=100)
    assert danger_signs(Readings(spo2=95, temperature=38.5, pulse=101), strict) == (
        "pulse_high",
        "fever_high",
    )


def test_each_sign_is_new_once() -> None:
    assert new_signs(("chest_pain", "spo2_low"), ["chest_pain"]) == ("spo2_low",)
    assert new_signs((), ["chest_pain"]) == ()


def test_age_from_year_of_birth() -> None:
    assert age_in(1980, 2026) == 46
    assert age_in(None, 2026) is None


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("😊 Khoẻ, bình thường", "khoe binh thuong"),
        ("Khỏe", "khoe"),
        ("  Không   đo được ", "khong do duoc"),
        ("Xong ✅", "xong"),
    ],
)
def test_typed_labels_fold_accents_emoji_and_spelling(typed: str, folded: str) -> None:
    assert fold_label(typed) == folded
