"""A button's label typed instead of pressed, understood as the press."""

from __future__ import annotations

from functools import lru_cache

from bot.catalogue import plain
from bot.checkins.values import FEELING, FEELINGS
from bot.triage import SYMPTOMS, fold_label

# What people type instead of pressing a button, folded (see triage.fold_label): the button's
# label in either language is always understood; these short forms as well.
_TYPED = {
    "good": ("khoe", "binh thuong", "tot", "on", "well", "good", "fine", "ok"),
    "tired": ("hoi met", "met", "tired"),
    "bad": ("met nhieu", "rat met", "unwell", "very unwell", "bad"),
    "none": ("khong", "khong co", "khong co gi", "none", "no", "nothing"),
    "done": ("xong", "done"),
    "skip": ("khong", "khong co", "khong do duoc", "khong biet", "no", "none", "skip"),
    "location_skip": ("khong", "khong gui duoc", "no"),
}


@lru_cache(maxsize=256)
def labels(language: str, key: str, kind: str) -> frozenset[str]:
    """The folded texts that count as the button `key` (its label in both languages)."""
    del language  # a label typed in the other language is understood as well
    found = {fold_label(plain(lang, key)) for lang in ("vi", "en")}
    return frozenset(found | set(_TYPED.get(kind, ())))


def typed_button(language: str, step: str, typed: str) -> tuple[str, str] | None:
    """The (action, value) of the button whose label was typed, if any."""
    if step == FEELING:
        for feel in FEELINGS:
            if typed in labels(language, f"checkin.feel.{feel}", feel):
                return "f", feel
        return None
    if typed in labels(language, "checkin.symptoms.none", "none"):
        return "s", "none"
    if typed in labels(language, "checkin.symptoms.done", "done"):
        return "s", "done"
    for symptom in SYMPTOMS:
        if typed in labels(language, f"checkin.symptom.{symptom}", symptom):
            return "s", symptom
    return None
