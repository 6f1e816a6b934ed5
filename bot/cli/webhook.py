"""`cachly webhook set|info|delete`: each bot's webhook registered once, by an admin.

Workers in webhook mode only serve (cachly/webhooks.py); none calls setWebhook at start,
so several workers do not re-register the same address over each other. Calls go through
the project's own Bot API transport, as getMe does.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass
from typing import Any

from bot.catalogue import plain
from bot.cli.base import CommandFailed
from bot.config import Settings
from bot.messaging.telegram.transport import HttpTransport
from bot.messaging.transport import PermanentError, TransportError

# The kinds of update the handlers take (handlers/): Telegram sends no other.
ALLOWED_UPDATES = ("message", "edited_message", "callback_query")


@dataclass(frozen=True)
class WebhookTarget:
    """One bot's webhook: its key, token, the public URL and the secret token."""

    key: str
    token: str
    url: str
    secret: str


def webhook_targets(settings: Settings) -> list[WebhookTarget]:
    """Every bot of the deployment (today: the one of `telegram`)."""
    telegram = settings.telegram
    return [WebhookTarget("main", telegram.token, telegram.webhook_url, telegram.webhook_secret)]


def webhook_set(settings: Settings, args: argparse.Namespace) -> int:
    """Register each bot's URL and secret with Telegram, keeping the updates waiting."""
    language = args.language
    if settings.telegram.mode != "webhook":
        raise CommandFailed(plain(language, "webhook.not_webhook_mode"))
    for target in _targets(settings, language):
        params: dict[str, Any] = {
            "url": target.url,
            "secret_token": target.secret,
            "allowed_updates": list(ALLOWED_UPDATES),
            "drop_pending_updates": False,
        }
        asyncio.run(_call(settings, target, "setWebhook", params, language))
        print(plain(language, "webhook.set", key=target.key, url=target.url))
    return 0


def webhook_info(settings: Settings, args: argparse.Namespace) -> int:
    """What Telegram has for each bot: the URL, updates waiting, the last error."""
    language = args.language
    for target in _targets(settings, language):
        info = asyncio.run(_call(settings, target, "getWebhookInfo", {}, language))
        url = str(info.get("url") or "") or "–"
        pending = int(info.get("pending_update_count") or 0)
        line = plain(language, "webhook.info", key=target.key, url=url, pending=pending)
        if info.get("last_error_message"):
            error = str(info["last_error_message"])
            line += "; " + plain(language, "webhook.last_error", error=error)
        print(line)
    return 0


def webhook_delete(settings: Settings, args: argparse.Namespace) -> int:
    """Remove each bot's webhook (to go back to polling), keeping the updates waiting."""
    language = args.language
    for target in _targets(settings, language):
        params = {"drop_pending_updates": False}
        asyncio.run(_call(settings, target, "deleteWebhook", params, language))
        print(plain(language, "webhook.deleted", key=target.key))
    return 0


def _targets(settings: Settings, language: str) -> list[WebhookTarget]:
    targets = webhook_targets(settings)
    if any(not target.token for target in targets):
        raise CommandFailed(plain(language, "admin.no_token"))
    return targets


async def _call(
    settings: Settings, target: WebhookTarget, method: str, params: dict[str, Any], language: str
) -> Any:
    transport = HttpTransport(target.token, base_url=settings.telegram.base_url, timeout=30.0)
    await transport.initialize()
    try:
        return await transport.call(method, params)
    except PermanentError as exc:
        problem = str(exc).replace(target.token, "…")
        raise CommandFailed(
            plain(language, "webhook.refused", key=target.key, problem=problem)
        ) from None
    except TransportError as exc:
        problem = str(exc).replace(target.token, "…")
        raise CommandFailed(
            plain(language, "admin.telegram_unreachable", problem=problem)
        ) from None
    finally:
        await transport.shutdown()
