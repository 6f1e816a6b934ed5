"""The admin command line: invite, list, revoke, migrate."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import SystemClock
from bot.config import load_settings
from bot.db import Database
from bot.services import Services


def test_invite_list_revoke(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "invite", "--commune", "hac thanh"]) == 0
    out = capsys.readouterr().out
    assert "health officer (Phường Hạc Thành)" in out
    assert re.search(r"https://t\.me/cachly_test_bot\?start=o_[A-Za-z0-9_-]{32}$", out.strip())

    assert main(["admin", "invite", "--role", "supervisor", "--province", "38"]) == 0
    assert "supervisor (Thanh Hóa)" in capsys.readouterr().out

    assert main(["admin", "list"]) == 0
    listing = capsys.readouterr().out
    assert "#1  health officer pending          Phường Hạc Thành" in listing
    assert "#2  supervisor     pending          Thanh Hóa" in listing

    assert main(["admin", "revoke", "--invitation", "1"]) == 0
    assert "Invitation number 1 has been revoked." in capsys.readouterr().out
    assert main(["admin", "list"]) == 0
    assert "#1  health officer revoked          Phường Hạc Thành" in capsys.readouterr().out


def test_unknown_commune_is_one_line(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "invite", "--commune", "atlantis"]) == 1
    assert capsys.readouterr().err == "cachly: No single commune matches 'atlantis'.\n"


def test_ambiguous_commune_names_the_candidates(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "invite", "--commune", "dong"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("cachly: 'dong' matches several communes: ")
    assert "Phường Đông Sơn (16378)" in err
    assert err.count("\n") == 1


def test_revoke_unknown_officer(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["admin", "revoke", "--officer", "999"]) == 1
    assert capsys.readouterr().err == "cachly: There is no officer number 999.\n"


def test_db_upgrade_is_repeatable(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_used_invitation_cannot_be_revoked(
    cli_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "invite", "--commune", "hac thanh"]) == 0
    link = capsys.readouterr().out.strip().splitlines()[-1]
    code = link.rsplit("=", 1)[1]

    async def redeem() -> None:
        settings = load_settings()
        db = Database(settings.database)
        try:
            await Services(settings, db, SystemClock()).officers.redeem(code, 7, "Lan")
        finally:
            await db.dispose()

    asyncio.run(redeem())
    assert main(["admin", "revoke", "--invitation", "1"]) == 1
    assert "has been used; revoke the officer instead" in capsys.readouterr().err


def test_admin_commands_work_on_a_brand_new_embedded_database(
    tmp_cwd: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_cwd / "cachly.toml").write_text('[deployment]\nlanguage = "en"\n', encoding="utf-8")
    assert main(["admin", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Officers and supervisors:",
        "  (none)",
        "Invitations:",
        "  (none)",
    ]
    assert (tmp_cwd / "cachly.sqlite3").exists()
