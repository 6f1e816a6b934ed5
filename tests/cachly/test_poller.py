"""One long poller per bot: a second `cachly run` in polling mode stops with one line."""

from __future__ import annotations

import asyncio
import os
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


@POSTGRES_ONLY
async def test_a_second_cachly_run_stops_at_once_with_one_line(
    cli_env: Path, database_url: str, db: Database
) -> None:
    held = PollerLock(db, 123456789)
    assert await held.acquire()
    try:
        async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
            _config(cli_env, standin)
            env = {**os.environ, "CACHLY_TELEGRAM_TOKEN": TOKEN, "PYTHONPATH": str(ROOT)}
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "cachly",
                "run",
                cwd=cli_env.parent,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            _, err = await asyncio.wait_for(process.communicate(), 60)
            # Not polled at all: the stand-in saw no getUpdates.
            assert all(call.method != "getUpdates" for call in standin.calls)
    finally:
        await held.release()
    assert process.returncode == 1
    assert err.decode().strip().splitlines()[-1] == (
        "cachly: another 'cachly run' is already polling this bot's updates; stop it first, "
        "or use webhook mode for several processes"
    )
