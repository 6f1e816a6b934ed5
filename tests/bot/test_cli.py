"""The admin command line: invite, list, revoke, migrate."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.db import Database


@pytest.fixture
def cli_env(
    tmp_cwd: Path, database_url: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A config naming the bot, on the (emptied) test database."""
    monkeypatch.setenv("CACHLY_DATABASE_URL", database_url)
    config = tmp_cwd / "cachly.toml"
    config.write_text(
        '[telegram]\nbot_username = "cachly_test_bot"\n[deployment]\nlanguage = "en"\n',
        encoding="utf-8",
    )
    return config


def test_invite_list_revoke(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "invite", "--commune", "hac thanh"]) == 0
    out = capsys.readouterr().out
    assert "health officer (Phường Hạc Thành)" in out
    assert re.search(r"https://t\.me/cachly_test_bot\?start=o_[A-Za-z0-9_-]{32}$", out.strip())

    assert main(["admin", "invite", "--role", "supervisor", "--province", "38"]) == 0
    assert "supervisor (Thanh Hóa)" in capsys.readouterr().out

    assert main(["admin", "list"]) == 0
    listing = capsys.readouterr().out
    assert "#1  officer    pending  Phường Hạc Thành" in listing
    assert "#2  supervisor pending  Thanh Hóa" in listing

    assert main(["admin", "revoke", "--invitation", "1"]) == 0
    assert "Invitation number 1 has been revoked." in capsys.readouterr().out
    assert main(["admin", "list"]) == 0
    assert "#1  officer    revoked  Phường Hạc Thành" in capsys.readouterr().out


def test_unknown_commune_is_one_line(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "invite", "--commune", "atlantis"]) == 1
    assert capsys.readouterr().err == "cachly: No single commune matches 'atlantis'.\n"


def test_revoke_unknown_officer(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "revoke", "--officer", "999"]) == 1
    assert capsys.readouterr().err == "cachly: There is no officer number 999.\n"


def test_db_upgrade_is_repeatable(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out
