"""The message catalogue: both languages complete and consistent, parameters escaped."""

from __future__ import annotations

import string

from bot.catalogue import CATALOGUE, Raw, t


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys() -> None:
    assert set(CATALOGUE["vi"]) == set(CATALOGUE["en"])


def test_both_languages_have_the_same_placeholders() -> None:
    for key, text in CATALOGUE["vi"].items():
        assert _placeholders(text) == _placeholders(CATALOGUE["en"][key]), key


def test_no_text_is_empty_or_left_untranslated() -> None:
    for language, texts in CATALOGUE.items():
        for key, text in texts.items():
            assert text.strip(), f"{language}:{key} is empty"


def test_user_text_is_escaped_but_raw_markup_is_kept() -> None:
    shown = t("en", "whoami.officer", commune="<b>Nguyễn</b> & Co", province=Raw("<i>x</i>"))
    assert "&lt;b&gt;Nguyễn&lt;/b&gt; &amp; Co" in shown
    assert "<i>x</i>" in shown


def test_unknown_language_falls_back_to_vietnamese() -> None:
    assert t("fr", "whoami.unknown") == CATALOGUE["vi"]["whoami.unknown"]
