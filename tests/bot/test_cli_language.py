"""The command line's language: --lang, else the locale, else deployment.language."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.catalogue import CATALOGUE
from bot.cli import main
from bot.cli.language import cli_language, locale_language


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "vi_VN.UTF-8"}, "vi"),
        ({"LANG": "en_US"}, "en"),
        ({"LANG": "en_GB.UTF-8@euro"}, "en"),
        ({"LANG": "C"}, None),
        ({"LANG": "POSIX"}, None),
        ({"LANG": "C.UTF-8"}, None),
        ({"LANG": "fr_FR.UTF-8"}, None),
        ({}, None),
        # The strongest variable set decides, even when it has no opinion.
        ({"LC_ALL": "en_US.UTF-8", "LANG": "vi_VN.UTF-8"}, "en"),
        ({"LC_MESSAGES": "vi_VN.UTF-8", "LANG": "en_US"}, "vi"),
        ({"LC_ALL": "C", "LANG": "vi_VN.UTF-8"}, None),
        ({"LC_ALL": "", "LANG": "vi_VN.UTF-8"}, "vi"),
    ],
)
def test_locale_language(environ: dict[str, str], expected: str | None) -> None:
    assert locale_language(environ) == expected


def test_choice_then_locale_then_deployment() -> None:
    assert cli_language("en", {"LANG": "vi_VN.UTF-8"}, "vi") == "en"
    assert cli_language(None, {"LANG": "vi_VN.UTF-8"}, "en") == "vi"
    assert cli_language(None, {"LANG": "C"}, "en") == "en"


def test_the_command_line_follows_lang_and_the_locale(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # cli_env's deployment speaks English.
    assert main(["admin", "revoke", "--officer", "999"]) == 1
    assert capsys.readouterr().err == "cachly: There is no officer number 999.\n"
    monkeypatch.setenv("LANG", "vi_VN.UTF-8")
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == CATALOGUE["vi"]["cli.db_up_to_date"] + "\n"
    assert main(["--lang", "en", "db", "upgrade"]) == 0
    assert capsys.readouterr().out == "The database is up to date.\n"
    monkeypatch.setenv("LC_ALL", "C")
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == "The database is up to date.\n"
