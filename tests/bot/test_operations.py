"""The operator's commands: `cachly doctor` against the stand-in, `cachly db backup` live."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.db import Database
from bot.messaging.message import Text
from bot.messaging.outbox import enqueue
from standins.telegram import BotApiStandIn, Limits

TOKEN = "123456789:stand-in-token"
SQLITE_ONLY = pytest.mark.skipif(
    os.environ.get("CACHLY_TEST_DATABASE_URL") is not None, reason="SQLite only"
)


def _config(path: Path, standin: BotApiStandIn, extra: str = "") -> None:
    path.write_text(
        f'[telegram]\nbase_url = "{standin.base_url}"\n{extra}[deployment]\nlanguage = "en"\n',
        encoding="utf-8",
    )


async def _doctor(capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    # The command runs its own event loop; the stand-in keeps serving on this one.
    code = await asyncio.to_thread(main, ["doctor"])
    return code, capsys.readouterr().out.splitlines()


async def test_doctor_on_a_healthy_deployment(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        _config(cli_env, standin)
        monkeypatch.setenv("CACHLY_TELEGRAM_TOKEN", TOKEN)
        assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
        capsys.readouterr()
        code, lines = await _doctor(capsys)
    assert code == 0, lines
    assert [line.split(":")[0] for line in lines] == [
        "✓ configuration",
        "✓ database",
        "✓ outbox",
        "✓ token",
        "✓ webhook",
    ]
    assert "schema at head" in lines[1]
    assert lines[3].startswith("✓ token: @")
    assert "none (polling mode), 0 updates waiting" in lines[4]


async def test_doctor_finds_a_refused_token(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        _config(cli_env, standin)
        monkeypatch.setenv("CACHLY_TELEGRAM_TOKEN", "999:wrongSecretToken")
        code, lines = await _doctor(capsys)
    assert code == 1
    token = next(line for line in lines if "token" in line.split(":")[0])
    assert token.startswith("✗ token:")
    assert "wrongSecretToken" not in "\n".join(lines)


async def test_doctor_finds_a_webhook_that_polling_would_not_see_and_its_error(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        monkeypatch.setenv("CACHLY_TELEGRAM_TOKEN", TOKEN)
        standin.webhook = {"url": "https://bot.example.org/tg/hook"}
        _config(cli_env, standin)
        code, lines = await _doctor(capsys)
        assert code == 1
        assert (
            "✗ webhook: set to https://bot.example.org/tg/hook, so polling gets no" in (lines[-1])
        )
        # In webhook mode the same address is right, until Telegram cannot deliver to it.
        webhook = (
            'mode = "webhook"\nwebhook_url = "https://bot.example.org/tg/hook"\n'
            'webhook_secret = "s3cret"\n'
        )
        _config(cli_env, standin, webhook)
        code, lines = await _doctor(capsys)
        assert code == 0, lines
        assert lines[-1] == "✓ webhook: https://bot.example.org/tg/hook, 0 updates waiting"
        standin.webhook_error = (1_790_000_000, "Wrong response from the webhook: 502 Bad Gateway")
        code, lines = await _doctor(capsys)
    assert code == 1
    assert lines[-1].startswith("✗ webhook: last error at ")
    assert "502 Bad Gateway; 0 updates waiting" in lines[-1]


async def test_doctor_finds_a_stuck_outbox(
    cli_env: Path, db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    async with db.transaction() as session:
        enqueue(
            session,
            province=None,
            chat_id=42,
            priority=0,
            purpose="alert",
            now=long_ago,
            content=Text("x"),
        )
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        _config(cli_env, standin)
        monkeypatch.setenv("CACHLY_TELEGRAM_TOKEN", TOKEN)
        code, lines = await _doctor(capsys)
    assert code == 1
    outbox = next(line for line in lines if line.startswith(("✓ outbox", "✗ outbox")))
    assert outbox.startswith("✗ outbox: due 1, later 0, sending 0, failed 0; oldest waiting #")
    assert "(alert) has waited 60 minutes" in outbox


def test_doctor_reports_a_bad_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cachly.toml").write_text('[schedule]\ntimezone = "Mars/Base"\n')
    assert main(["--lang", "en", "doctor"]) == 1
    assert capsys.readouterr().out.startswith("✗ configuration: schedule.timezone")


@SQLITE_ONLY
def test_backup_of_a_database_being_written_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    live = tmp_path / "cachly.sqlite3"
    monkeypatch.setenv("CACHLY_DATABASE_URL", f"sqlite+aiosqlite:///{live}")
    assert main(["--lang", "en", "db", "upgrade"]) == 0
    writer = sqlite3.connect(live, check_same_thread=False)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE scratch (id INTEGER PRIMARY KEY, filler TEXT)")
    writer.commit()
    stop, committed, started = threading.Event(), [0], threading.Event()

    def write() -> None:
        while not stop.is_set():
            writer.execute("INSERT INTO scratch (filler) VALUES (?)", ("x" * 500,))
            writer.commit()
            committed[0] += 1
            if committed[0] == 200:
                started.set()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        assert started.wait(30)
        before = committed[0]
        assert main(["--lang", "en", "db", "backup", "copy.sqlite3"]) == 0
        during = committed[0]
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert during > before  # the writer went on while the copy was made
    assert "Backed up" in capsys.readouterr().out
    copy = sqlite3.connect(tmp_path / "copy.sqlite3")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        count, top = copy.execute("SELECT count(*), max(id) FROM scratch").fetchone()
        assert count >= before
        assert count == top  # a consistent snapshot: no row missing below the last
        assert copy.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    finally:
        copy.close()
    # A second backup to the same name would overwrite it: refused.
    assert main(["--lang", "en", "db", "backup", "copy.sqlite3"]) == 1
    assert "exists" in capsys.readouterr().err


def test_backup_on_postgresql_says_to_use_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CACHLY_DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert main(["--lang", "en", "db", "backup", "x.dump"]) == 1
    assert "pg_dump --format=custom --file=x.dump" in capsys.readouterr().err
