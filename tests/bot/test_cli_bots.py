"""The command line of a several-bot deployment: links name the bot of their province."""

from __future__ import annotations

import asyncio
import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete

from bot.cli import main
from bot.config import DatabaseSettings
from bot.db import Database
from bot.models import Commune, Province
from tests.conftest import empty_database

CONFIG = """
[deployment]
language = "en"
provinces = [38, 12]

[[bots]]
key = "thanh-hoa"
provinces = [38]
token_env = "TOKEN_THANH_HOA"
username = "cachly_th_bot"

[[bots]]
key = "lai-chau"
provinces = ["Lai Châu"]
token_env = "TOKEN_LAI_CHAU"
username = "cachly_lc_bot"
"""


@pytest.fixture
def two_bots(cli_env: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A [[bots]] configuration; Lai Châu, which the command seeds, is removed after."""
    cli_env.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("TOKEN_THANH_HOA", "1:th")
    monkeypatch.setenv("TOKEN_LAI_CHAU", "2:lc")
    yield cli_env
    asyncio.run(_forget_lai_chau(database_url))


async def _forget_lai_chau(url: str) -> None:
    db = Database(DatabaseSettings(url=url))
    try:
        await empty_database(db)
        async with db.transaction() as session:
            await session.execute(delete(Commune).where(Commune.province_code == 12))
            await session.execute(delete(Province).where(Province.code == 12))
    finally:
        await db.dispose()


def test_each_invitation_names_the_bot_of_its_province(
    two_bots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["admin", "invite", "--commune", "hac thanh"]) == 0
    assert re.search(r"https://t\.me/cachly_th_bot\?start=o_", capsys.readouterr().out)
    assert main(["admin", "invite", "--commune", "than uyen"]) == 0
    assert re.search(r"https://t\.me/cachly_lc_bot\?start=o_", capsys.readouterr().out)
    assert main(["admin", "invite", "--role", "supervisor", "--province", "Lai Châu"]) == 0
    assert re.search(r"https://t\.me/cachly_lc_bot\?start=o_", capsys.readouterr().out)


def test_imported_links_name_the_bot_of_the_commune(
    two_bots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = two_bots.parent / "ds.csv"
    source.write_text("Họ và tên,Số điện thoại,Loại\nLò Văn Một,0912000001,F1\n", encoding="utf-8")
    assert main(["cases", "import", str(source), "--commune", "than uyen"]) == 0
    capsys.readouterr()
    with (two_bots.parent / "ds-links.csv").open(encoding="utf-8-sig") as links:
        rows = list(csv.reader(links))
    assert rows[1][3].startswith("https://t.me/cachly_lc_bot?start=p_")


def test_several_bots_in_webhook_mode_wait_for_the_webhook_server(
    two_bots: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    webhook = '[telegram]\nmode = "webhook"\nwebhook_url = "https://x.example/h"\n'
    two_bots.write_text(webhook + 'webhook_secret = "s"\n' + CONFIG, encoding="utf-8")
    assert main(["run"]) == 1
    assert "webhook server" in capsys.readouterr().err
