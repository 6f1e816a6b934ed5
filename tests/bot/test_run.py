"""`cachly run` as a newcomer starts it: a fresh directory, a token, nothing else."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from standins.telegram import BotApiStandIn, Limits

TOKEN = "123456789:stand-in-token"


@pytest.mark.skipif(os.environ.get("CACHLY_TEST_DATABASE_URL") is not None, reason="SQLite only")
async def test_run_migrates_the_embedded_database_and_answers(tmp_path: Path) -> None:
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        (tmp_path / "cachly.toml").write_text(
            f'[telegram]\nbase_url = "{standin.base_url}"\n'
            f'base_file_url = "{standin.base_file_url}"\n',
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CACHLY_")}
        env["CACHLY_TELEGRAM_TOKEN"] = TOKEN
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cachly",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            user = standin.user(501, first_name="Lan")
            await standin.wait_for_poll(timeout=60)
            await user.send_text("/start")
            welcome = await user.wait_for_message(timeout=30)
            assert "cachly" in (welcome.text or "")
            assert (tmp_path / "cachly.sqlite3").exists()
        finally:
            process.send_signal(signal.SIGINT)
            output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
        log = output.decode()
        assert process.returncode == 0, log
        assert "areas ready: 166 communes" in log
        # The token is in every request URL; the log must never show it.
        assert TOKEN not in log


async def test_a_token_telegram_refuses_is_one_line_without_the_token(tmp_path: Path) -> None:
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        (tmp_path / "cachly.toml").write_text(
            f'[telegram]\nbase_url = "{standin.base_url}"\n', encoding="utf-8"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CACHLY_")}
        env["CACHLY_TELEGRAM_TOKEN"] = "999:wrongSecretToken"
        env["CACHLY_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite3'}"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "cachly",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        _, errors = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 1
    assert errors.decode().splitlines()[-1] == (
        "cachly: telegram.token: Telegram không chấp nhận mã bot này; "
        "hãy kiểm tra lại với @BotFather."
    )
    assert "wrongSecretToken" not in errors.decode()
    assert "Traceback" not in errors.decode()
