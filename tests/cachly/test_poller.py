"""One long poller per bot: a second `cachly run` in polling mode stops with one line."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.db import Database
from bot.messaging.poller import PollerLock
from standins.telegram import BotApiStandIn, Limits

TOKEN = "123456789:stand-in-token"
ROOT = Path(__file__).resolve().parents[2]
POSTGRES_ONLY = pytest.mark.skipif(
    os.environ.get("CACHLY_TEST_DATABASE_URL") is None, reason="PostgreSQL only"
)


async def test_the_lock_is_held_by_one_process_at_a_time(db: Database) -> None:
    other_db = Database(db.settings)  # the second process's own connections
    first, second = PollerLock(db, 123456789), PollerLock(other_db, 123456789)
    other_bot = PollerLock(db, 42)
    try:
        assert await first.acquire()
        # On SQLite the database file is the one process's own: nothing to lock.
        assert await second.acquire() is db.settings.is_sqlite
        await first.release()
        assert await second.acquire()
        assert await other_bot.acquire()  # another bot's lock is its own
    finally:
        for lock in (first, second, other_bot):
            await lock.release()
        await other_db.dispose()


def _config(path: Path, standin: BotApiStandIn) -> None:
    path.write_text(
        f'[telegram]\nbase_url = "{standin.base_url}"\n[deployment]\nlanguage = "en"\n',
        encoding="utf-8",
    )


async def _line_with(stderr: asyncio.StreamReader, text: str, lines: list[str]) -> None:
    while True:
        line = (await stderr.readline()).decode()
        if not line:
            raise AssertionError(f"the worker ended before {text!r}:\n" + "".join(lines))
        lines.append(line)
        if text in line:
            return


@POSTGRES_ONLY
async def test_a_second_cachly_run_stands_by_and_takes_over_when_the_first_ends(
    cli_env: Path, db: Database
) -> None:
    held = PollerLock(db, 123456789)  # the first poller, as far as the second can tell
    assert await held.acquire()
    lines: list[str] = []
    try:
        async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
            _config(cli_env, standin)
            env = {**os.environ, "CACHLY_TELEGRAM_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
            process = await asyncio.create_subprocess_exec(
                *(sys.executable, "-m", "cachly", "run"),
                cwd=cli_env.parent,
                env=env,
                stderr=asyncio.subprocess.PIPE,
            )
            assert process.stderr is not None
            try:
                await asyncio.wait_for(_line_with(process.stderr, "standing by", lines), 60)
                # Standing by: it never asked Telegram for updates, so no 409 either.
                assert all(call.method != "getUpdates" for call in standin.calls)
                await held.release()  # the first poller's session ends
                await standin.wait_for_poll(timeout=30)
                await asyncio.wait_for(_line_with(process.stderr, "polls the bot", lines), 30)
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.stderr.read(), 60)
                code = await asyncio.wait_for(process.wait(), 30)
            finally:
                if process.returncode is None:
                    process.kill()
                    await process.wait()
    finally:
        await held.release()
    assert code == 0, "".join(lines)
