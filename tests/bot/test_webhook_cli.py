"""`cachly webhook set|info|delete` against the stand-in, which applies the Bot API's rules."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.webhook import ALLOWED_UPDATES
from bot.messaging.telegram.transport import HttpTransport
from bot.messaging.transport import PermanentError
from standins.telegram import BotApiStandIn, Limits

TOKEN = "123456789:stand-in-token"
URL = "https://bot.example.org/telegram/main"


def _config(path: Path, standin: BotApiStandIn, secret: str = "s3cret_token-A") -> None:
    path.write_text(
        f'[telegram]\nbase_url = "{standin.base_url}"\nmode = "webhook"\n'
        f'webhook_url = "{URL}"\nwebhook_secret = "{secret}"\n'
        '[deployment]\nlanguage = "en"\n',
        encoding="utf-8",
    )


async def _cachly(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # The command runs its own event loop; the stand-in keeps serving on this one.
    code = await asyncio.to_thread(main, list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


async def test_set_info_and_delete_the_webhook(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CACHLY_TELEGRAM_TOKEN", TOKEN)
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        _config(cli_env, standin)
        await standin.user(8).send_text("hello")
        code, out, _ = await _cachly(capsys, "webhook", "set")
        assert code == 0
        assert out.strip() == f"✓ default: Telegram will post updates to {URL}"
        assert standin.webhook is not None
        assert standin.webhook["url"] == URL
        assert standin.webhook["secret_token"] == "s3cret_token-A"
        assert standin.webhook["allowed_updates"] == list(ALLOWED_UPDATES)
        assert standin.webhook["drop_pending_updates"] is False
        assert standin.pending_updates == 1  # kept for the workers

        code, out, _ = await _cachly(capsys, "webhook", "info")
        assert code == 0
        assert out.strip() == f"default: {URL}, 1 update waiting"
        standin.webhook_error = (1_790_000_000, "Wrong response from the webhook: 502 Bad Gateway")
        code, out, _ = await _cachly(capsys, "webhook", "info")
        assert out.strip().endswith(
            "; last error: Wrong response from the webhook: 502 Bad Gateway"
        )

        code, out, _ = await _cachly(capsys, "webhook", "delete")
        assert code == 0
        assert out.strip() == "✓ default: webhook deleted (updates waiting are kept)"
        assert standin.webhook is None
        assert standin.pending_updates == 1


async def test_a_secret_telegram_refuses_is_one_line_without_the_token(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CACHLY_TELEGRAM_TOKEN", TOKEN)
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        _config(cli_env, standin, secret="has spaces and é")
        code, _, err = await _cachly(capsys, "webhook", "set")
        assert standin.webhook is None
    assert code == 1
    assert err.strip() == (
        "cachly: Telegram refused default's webhook: Secret token contains unallowed characters"
    )
    assert "stand-in-token" not in err


async def test_set_is_refused_in_polling_mode(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CACHLY_TELEGRAM_TOKEN", TOKEN)
    code, _, err = await _cachly(capsys, "webhook", "set")
    assert code == 1
    assert 'telegram.mode is not "webhook"' in err


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"url": "http://bot.example.org/hook"}, "(?i)an https url must be provided"),
        ({"url": URL, "secret_token": ""}, "unallowed characters"),
        ({"url": URL, "secret_token": "a" * 257}, "unallowed characters"),
        ({"url": URL, "secret_token": "semi;colon"}, "unallowed characters"),
    ],
)
async def test_the_standin_refuses_what_setwebhook_refuses(
    params: dict[str, object], problem: str
) -> None:
    async with BotApiStandIn(TOKEN, limits=Limits.off()) as standin:
        transport = HttpTransport(TOKEN, base_url=standin.base_url)
        await transport.initialize()
        try:
            with pytest.raises(PermanentError, match=problem):
                await transport.call("setWebhook", params)
            await transport.call("setWebhook", {"url": URL, "secret_token": "A-z_09" * 42})
        finally:
            await transport.shutdown()
        assert standin.webhook is not None
