"""`cachly run` in webhook mode as a worker process: it serves, it never registers the
webhook itself, and it stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import httpx

from standins.telegram import BotApiStandIn, Limits

TOKEN = "123456789:stand-in-token"
SECRET = "worker_secret-1"
ROOT = Path(__file__).resolve().parents[2]


def _config(path: Path, standin: BotApiStandIn) -> None:
    path.write_text(
        f'[telegram]\nbase_url = "{standin.base_url}"\nbot_username = "cachly_test_bot"\n'
        'mode = "webhook"\nwebhook_url = "https://bot.example.org/telegram/main"\n'
        '[deployment]\nprovinces = [38]\nlanguage = "en"\n',
        encoding="utf-8",
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until_listening(stderr: asyncio.StreamReader, lines: list[str]) -> None:
    while True:
        line = (await stderr.readline()).decode()
        if not line:
            raise AssertionError("the worker ended before listening:\n" + "".join(lines))
        lines.append(line)
        if "listening on" in line:
            return


async def test_a_worker_serves_registers_nothing_and_stops_on_sigterm(cli_env: Path) -> None:
    port = _free_port()
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        _config(cli_env, standin)
        env = {
            **os.environ,
            "CACHLY_TELEGRAM_TOKEN": TOKEN,
            "CACHLY_TELEGRAM_WEBHOOK_SECRET": SECRET,
            "PYTHONPATH": str(ROOT),
        }
        worker = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "cachly", "run", "--port", str(port)),
            cwd=cli_env.parent,
            env=env,
            stderr=asyncio.subprocess.PIPE,
        )
        assert worker.stderr is not None
        lines: list[str] = []
        try:
            await asyncio.wait_for(_until_listening(worker.stderr, lines), 90)
            user = standin.user(601, first_name="Trịnh Quỳnh Xuyến")
            await user.send_text("/start")
            [update] = standin.take_updates()
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
                posted = await client.post(
                    "/telegram/main",
                    content=json.dumps(update),
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                )
                assert posted.status_code == 200
                await user.wait_for_message(timeout=30)
                health = await client.get("/healthz")
                assert health.status_code == 200
                assert health.json()["ok"] is True
                # The web desk in the same server (its public page needs no sign-in).
                public = await client.get("/tinh-hinh")
                assert public.status_code == 200
                assert "Home isolation" in public.text
            worker.send_signal(signal.SIGTERM)
            rest = await asyncio.wait_for(worker.stderr.read(), 60)
            code = await asyncio.wait_for(worker.wait(), 30)
        finally:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
        methods = {call.method for call in standin.calls}
    log = "".join(lines) + rest.decode()
    assert code == 0, log
    assert "setWebhook" not in methods
    assert "deleteWebhook" not in methods
    assert "getUpdates" not in methods
    assert "Trịnh" not in log
    assert SECRET not in log
