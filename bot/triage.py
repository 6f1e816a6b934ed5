"""Triage: the Ministry of Health's warning signs for people cared for at home (pure).

Every threshold comes from `TriageSettings`; the valid ranges of typed numbers are fixed,
since outside them a reading is a typo, not a patient.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from bot.config import TriageSettings
from bot.text import fold

# The symptoms a person can tick; the last three are warning signs on their own.
SYMPTOMS = (
    "fever",
    "cough",
    "sore_throat",
    "taste_smell",
    "short_breath",
    "chest_pain",
    "confusion",
)
DANGER_SYMPTOMS = ("short_breath", "chest_pain", "confusion")

# Readings outside these ranges are re-asked: (low, high), both included.
RANGES: Mapping[str, tuple[float, float]] = {
    "temperature": (34.0, 43.0),
    "spo2": (50.0, 100.0),
    "breaths": (5.0, 80.0),
    "pulse": (30.0, 220.0),
}

# Warning-sign codes (catalogue keys checkin.sign.<code>).
SPO2_LOW = "spo2_low"
BREATHS_HIGH = "breaths_high"
PULSE_HIGH = "pulse_high"
PULSE_LOW = "pulse_low"
FEVER_HIGH = "fever_high"

# A reading as people type it: "37,8", "37.8", "38.5°C", "95 %", "16 lần/phút", and the
# spoken form "37 độ 8" (37.8 degrees) or "37 độ rưỡi" (37.5).
_UNIT = r"(?:°\s*c?|độ\s*c?|do\s*c?|%|c|lần(?:\s*/\s*phút)?|lan|bpm|/\s*ph(?:út|ut)?)"
_NUMBER = re.compile(rf"^(\d{{1,4}}(?:[.,]\d{{1,2}})?)\s*{_UNIT}?$")
_SPOKEN = re.compile(r"^(\d{1,2})\s*(?:độ|do|°)\s*(\d{1,2}|rưỡi|ruoi)$")


def parse_number(text: str) -> float | None:
    """A typed reading: "37,8", "37.8", "95 %", "37 độ 8", "38.5°C"; None when not a number."""
    typed = unicodedata.normalize("NFC", text).strip().lower()
    spoken = _SPOKEN.match(typed)
    if spoken is not None:
        whole, part = spoken.groups()
        fraction = "5" if part in ("rưỡi", "ruoi") else part
        return float(f"{whole}.{fraction}")
    match = _NUMBER.match(typed)
    if match is None:
        return None
    return float(match.group(1).replace(",", "."))


def fold_label(text: str) -> str:
    """A typed label compared loosely: no accents, emoji or commas ("Khoẻ" == "khỏe")."""
    kept = "".join(c for c in fold(text) if c.isalnum() or c.isspace())
    return " ".join(kept.split())


def in_range(measure: str, value: float) -> bool:
    """Whether a reading is plausible for its measure."""
    low, high = RANGES[measure]
    return low <= value <= high


def age_in(birth_year: int | None, year: int) -> int | None:
    """Age in whole years as far as the year of birth tells."""
    return None if birth_year is None else year - birth_year


def breaths_limit(age: int | None, settings: TriageSettings) -> int:
    """Breaths per minute at or above which breathing is a warning sign, by age."""
    if age is not None and 1 <= age <= 4:
        return settings.breaths_age_1_4
    if age is not None and 5 <= age <= 11:
        return settings.breaths_age_5_11
    return settings.breaths_adult


def spo2_is_low(value: float, settings: TriageSettings) -> bool:
    """Whether an SpO2 reading is at or below the limit (re-measure, then alert)."""
    return value <= settings.spo2_max


@dataclass(frozen=True)
class Readings:
    """What a person has answered so far; None for a reading not given (yet)."""

    symptoms: frozenset[str] = field(default_factory=frozenset)
    temperature: float | None = None
    # The SpO2 that counts: the second measurement when the first was low.
    spo2: float | None = None
    breaths: float | None = None
    pulse: float | None = None
    age: int | None = None


def danger_signs(readings: Readings, settings: TriageSettings) -> tuple[str, ...]:
    """The warning signs in the readings, in a fixed order (empty when none)."""
    signs: list[str] = [s for s in DANGER_SYMPTOMS if s in readings.symptoms]
    if readings.spo2 is not None and spo2_is_low(readings.spo2, settings):
        signs.append(SPO2_LOW)
    if readings.breaths is not None and readings.breaths >= breaths_limit(readings.age, settings):
        signs.append(BREATHS_HIGH)
    if readings.pulse is not None and readings.pulse > settings.pulse_max:
        signs.append(PULSE_HIGH)
    if readings.pulse is not None and readings.pulse < settings.pulse_min:
        signs.append(PULSE_LOW)
    if readings.temperature is not None and readings.temperature >= settings.temperature_max:
        signs.append(FEVER_HIGH)
    return tuple(signs)


def new_signs(found: Iterable[str], already: Iterable[str]) -> tuple[str, ...]:
    """Signs not raised before, so each raises the urgent alert once per check-in."""
    seen = set(already)
    return tuple(s for s in found if s not in seen)
